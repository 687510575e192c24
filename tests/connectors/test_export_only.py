"""An export-only POS (cuecloud declares `capabilities: [export]`) gets an explicit selling
policy: no online sales (a hold is refused as `sales_closed_online` before any seat is taken),
or an allocation of seats the theatre gave Marquee (only those sell online, in Marquee's own
inventory, never forwarded to the POS). Shows sold at the box office only are not sold online.
Selling settings that do not fit the POS's capabilities are refused when the connector is
registered."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select, update

from api.problems import http_status
from booking.errors import NoAdjacentSeats, SalesClosedOnline, SeatsUnavailable
from booking.services import BookingService
from connectors.catalog import import_catalog
from connectors.connector import ConnectorConfig, forget, get_connector, register
from connectors.link import link_resolver
from connectors.selling import InvalidSellingPolicy
from marquee.bootstrap import build_hub
from marquee.settings import Settings
from payments.offline import CARD_SUCCESS, OfflineGateway
from payments.registry import GatewayRegistry
from store.tables import holds, shows
from tests.connectors.helpers import free_seats, pick_show, status
from tests.connectors.test_cuecloud import connected, sim  # noqa: F401 - fixtures


def _services(engine: Engine) -> BookingService:
    return BookingService(
        uow=build_hub(Settings(database_url=str(engine.url)), engine=engine).unit_of_work,
        gateways=GatewayRegistry().add(OfflineGateway()),
        links=link_resolver(engine),
    )


def _hold_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(holds)).scalar_one()


def _reconfigure(engine: Engine, **settings) -> None:
    config = get_connector(engine, "cuecloud").config
    register(
        engine,
        ConnectorConfig(
            id=config.id,
            adapter=config.adapter,
            mapping=config.mapping,
            endpoint=config.endpoint,
            secret_refs=config.secret_refs,
            settings={**config.settings, **settings},
        ),
    )
    forget(engine)


def test_export_only_pos_sells_nothing_online_and_leaves_no_hold(engine, connected):  # noqa: F811
    import_catalog(get_connector(engine, "cuecloud"), days=2)
    show_id, _, _ = pick_show(engine, "cuecloud")
    seats = free_seats(engine, show_id, 2)
    services = _services(engine)
    with pytest.raises(SalesClosedOnline) as caught:
        services.place_hold(show_id, seats, customer_id="cus_export_only")
    assert caught.value.code == "sales_closed_online"
    assert http_status(caught.value) == 409
    with pytest.raises(SalesClosedOnline):
        services.hold_best_available(show_id, 2, customer_id="cus_export_only")
    assert [status(engine, show_id, s) for s in seats] == ["available"] * 2
    assert _hold_rows(engine) == 0
    assert services.seat_map(show_id).sales_open is False


def test_an_allocation_sells_only_the_seats_the_theatre_gave_marquee(engine, connected):  # noqa: F811
    import_catalog(get_connector(engine, "cuecloud"), days=2)
    show_id, _, _ = pick_show(engine, "cuecloud")
    given, other = free_seats(engine, show_id, 4)[:2], free_seats(engine, show_id, 4)[2:]
    with engine.connect() as conn:
        screen_id = conn.execute(select(shows.c.screen_id).where(shows.c.id == show_id)).scalar()
    _reconfigure(engine, online_sales="allocation", allocation={screen_id: given})
    services = _services(engine)

    seat_map = services.seat_map(show_id)
    assert seat_map.sales_open is True
    assert [seat_map.status(s).value for s in given] == ["available"] * 2
    assert [seat_map.status(s).value for s in other] == ["blocked"] * 2
    with pytest.raises(SeatsUnavailable) as refused:
        services.place_hold(show_id, [other[0]], customer_id="cus_alloc")
    assert refused.value.seat_ids == [other[0]]
    assert sorted(services.best_available(show_id, 2)) == sorted(given)

    # Sold in Marquee's inventory: the export-only POS is never asked to hold or sell.
    hold = services.place_hold(show_id, given, customer_id="cus_alloc")
    assert hold.remote_ref is None
    result = services.checkout(hold.id, "cus_alloc", details={"card_number": CARD_SUCCESS})
    assert result.booking.status.value == "confirmed"
    assert services.commit_sale(result.booking.id) is None
    assert [status(engine, show_id, s) for s in given] == ["sold"] * 2
    with pytest.raises(NoAdjacentSeats):  # the allocation is sold out; the rest is not ours
        services.hold_best_available(show_id, 1, customer_id="cus_more")


def test_a_box_office_only_show_is_not_sold_online(engine, connected):  # noqa: F811
    import_catalog(get_connector(engine, "cuecloud"), days=2)
    show_id, _, _ = pick_show(engine, "cuecloud")
    _reconfigure(
        engine, online_sales="allocation", allocation={"*": free_seats(engine, show_id, 2)}
    )
    with engine.begin() as conn:
        conn.execute(
            update(shows).where(shows.c.id == show_id).values(sales_channels=["box_office"])
        )
    services = _services(engine)
    with pytest.raises(SalesClosedOnline) as caught:
        services.place_hold(show_id, free_seats(engine, show_id, 1), customer_id="cus_bo")
    assert caught.value.extra["reason"] == "box_office_only"
    assert services.seat_map(show_id).sales_open is False
    assert _hold_rows(engine) == 0


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"online_sales": "live"}, "this mapping cannot hold, sell, release"),
        ({"online_sales": "allocation"}, "needs `allocation`"),
        ({"online_sales": "allocation", "allocation": {"*": []}}, "non-empty list"),
        ({"online_sales": "sometimes"}, "is not one of live, closed, allocation"),
        ({"allocation": {"*": ["1-1-1"]}}, "read only with online_sales 'allocation'"),
        (
            {
                "online_sales": "allocation",
                "allocation": {"*": ["1-1-1"]},
                "sales_report": {"path": "/inbound/sales-{date:%Y%m%d}.csv"},
            },
            "sales_report is uploaded over SFTP: it needs the csv_sftp adapter, not 'rest'",
        ),
    ],
)
def test_selling_settings_that_do_not_fit_the_pos_are_refused(sqlite_engine, settings, message):
    config = ConnectorConfig(
        id="cuecloud",
        adapter="rest",
        mapping="mappings/cuecloud/mapping.yaml",
        endpoint={"base_url": "http://127.0.0.1:9"},
        settings=settings,
    )
    with pytest.raises(InvalidSellingPolicy, match=message):
        register(sqlite_engine, config)


def test_a_pos_that_holds_and_sells_may_sell_live(sqlite_engine):
    register(
        sqlite_engine,
        ConnectorConfig(
            id="restline",
            adapter="rest",
            mapping="mappings/restline/mapping.yaml",
            endpoint={"base_url": "http://127.0.0.1:9"},
            settings={"online_sales": "live"},
        ),
    )

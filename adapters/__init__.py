"""Protocol and schema translation: one adapter per protocol family (rest, soap, csv_sftp),
registered by name as `marquee.adapters` entry points (see adapters.registry), plus the mapping
engine (adapters.mapping) that turns their payloads into canonical objects."""

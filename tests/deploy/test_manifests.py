"""Deployment files stay valid: Kubernetes manifests against the API schemas (offline, with
kubernetes-validate), Prometheus alert rules with promtool, the compose file and the Grafana
dashboard parse and name what exists."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.31.0"


def documents(path: Path) -> list[dict]:
    return [d for d in YAML(typ="safe").load_all(path.read_text()) if d]


def manifests() -> list[Path]:
    return sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


@pytest.mark.parametrize("path", manifests(), ids=lambda p: p.name)
def test_kubernetes_manifest_is_valid(path: Path) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    docs = documents(path)
    assert docs, f"{path.name} holds no resource"
    for doc in docs:
        # strict: a misspelt field (e.g. `readinesProbe`) fails instead of being ignored
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kubernetes_validation_catches_a_broken_manifest() -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    doc = documents(K8S / "api.yaml")[0]
    doc["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    listed = set(documents(K8S / "kustomization.yaml")[0]["resources"])
    expected = {p.name for p in manifests()} - {"secret.example.yaml"}
    assert listed == expected


def test_api_has_probes_resources_hpa_and_pdb() -> None:
    kinds = {d["kind"]: d for d in documents(K8S / "api.yaml")}
    assert {"Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= set(kinds)
    container = kinds["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["resources"]["requests"]["cpu"]
    assert {"secretRef": {"name": "marquee"}} in container["envFrom"]
    beat = [d for d in documents(K8S / "worker.yaml") if d["metadata"]["name"] == "marquee-beat"]
    assert beat[0]["spec"]["replicas"] == 1 and beat[0]["spec"]["strategy"]["type"] == "Recreate"


def test_alert_rules_pass_promtool() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is absent (Debian package prometheus; make cluster installs it)")
    rules = ROOT / "deploy" / "prometheus" / "alerts.yml"
    done = subprocess.run(
        [promtool, "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    names = {r.get("alert") for g in documents(rules)[0]["groups"] for r in g["rules"]}
    for needed in (
        "MarqueeHighErrorRate",
        "MarqueeHighLatencyP99",
        "MarqueeOutboxLag",
        "MarqueePosBreakerOpen",
        "MarqueeReplicationLag",
        "MarqueeBackupTooOld",
    ):
        assert needed in names


def test_compose_services_and_dashboard_parse() -> None:
    compose = documents(ROOT / "compose.yaml")[0]
    assert {"db", "redis", "migrate", "api", "worker", "lb"} <= set(compose["services"])
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "marquee.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    assert exprs and all("marquee" in e or "pgbackrest" in e for e in exprs)

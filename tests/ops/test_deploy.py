"""deploy/: the Kubernetes manifests validate against the Kubernetes schemas
(``kubernetes-validate``, strict); the Dockerfile and compose file say what operators need.
Docker does not run here, so these read the files."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from adapters.registry import AdapterRegistry
from gateway.federation import parse_federation
from gateway.federation.json_schema import schema_problems

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
MANIFESTS = sorted(p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]
REGISTRY = AdapterRegistry.from_entry_points()
LABELS = {"app.kubernetes.io/name": "caap-gateway", "app.kubernetes.io/component": "gateway"}


def _manifest(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((K8S / name).read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", MANIFESTS)
def test_each_manifest_validates_against_the_kubernetes_schema(name: str, version: str) -> None:
    kubernetes_validate.validate(_manifest(name), version, strict=True)


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    assert sorted(kustomization["resources"]) == MANIFESTS


def test_the_deployment_probes_limits_and_runs_as_non_root() -> None:
    deployment = _manifest("deployment.yaml")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["requests"]
    assert container["resources"]["limits"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert deployment["spec"]["template"]["metadata"]["labels"] == LABELS
    secrets = [e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"] if "valueFrom" in e]
    assert secrets
    assert set(secrets) == {"caap-gateway"}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert (
        volumes["federation"]["configMap"]["name"]
        == _manifest("configmap.yaml")["metadata"]["name"]
    )
    assert pod["terminationGracePeriodSeconds"] > 30  # CAAP_SHUTDOWN_TIMEOUT_S plus preStop


def test_service_pdb_and_hpa_point_at_the_deployment() -> None:
    assert _manifest("service.yaml")["spec"]["selector"] == LABELS
    assert _manifest("pdb.yaml")["spec"]["selector"]["matchLabels"] == LABELS
    target = _manifest("hpa.yaml")["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "caap-gateway")
    assert _manifest("hpa.yaml")["spec"]["minReplicas"] >= 2


def test_the_network_policy_lets_the_gateway_reach_only_platforms_redis_and_dns() -> None:
    policy = _manifest("networkpolicy.yaml")["spec"]
    assert policy["podSelector"]["matchLabels"] == LABELS
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    ports = sorted(p["port"] for rule in policy["egress"] for p in rule["ports"])
    assert ports == [53, 53, 443, 6379]
    peers = [peer for rule in policy["egress"] for peer in rule["to"]]
    assert all("ipBlock" in p or "podSelector" in p for p in peers)
    assert not any(p.get("ipBlock", {}).get("cidr") == "0.0.0.0/0" for p in peers)


def test_the_configmap_holds_a_federation_file_the_gateway_loads() -> None:
    federation = _manifest("configmap.yaml")["data"]["federation.yaml"]
    loaded = parse_federation(federation, "configmap", REGISTRY, {"CAAP_SIM_HOST": "citysim"})
    assert len(loaded.cities) == 18
    assert schema_problems(yaml.safe_load(federation)) == []


def test_make_configmap_renders_the_federation_file_as_a_valid_manifest() -> None:
    spec = importlib.util.spec_from_file_location("make_configmap", K8S / "make_configmap.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    federation = (ROOT / "federation.yaml").read_text(encoding="utf-8")
    manifest = yaml.safe_load(module.render(federation))
    kubernetes_validate.validate(manifest, VERSIONS[-1], strict=True)
    assert manifest["data"]["federation.yaml"] == federation


def test_the_dockerfile_is_multi_stage_non_root_with_a_health_check() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    instructions = [
        line.split(None, 1)
        for line in re.sub(r"\\\n", " ", text).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    keywords = [i[0] for i in instructions]
    stages = [i[1] for i in instructions if i[0] == "FROM"]
    assert len(stages) >= 2
    assert all(":latest" not in s and ":" in s.split()[0] for s in stages)
    assert any(i[0] == "COPY" and "--from=build" in i[1] for i in instructions)
    user = [i[1] for i in instructions if i[0] == "USER"][-1]
    assert user.split(":")[0] not in ("0", "root")
    healthcheck = [i[1] for i in instructions if i[0] == "HEALTHCHECK"]
    assert healthcheck
    assert "/healthz" in healthcheck[0]
    assert keywords.index("USER") > keywords.index("FROM", 1)
    assert "EXPOSE" in keywords
    assert "STOPSIGNAL" in keywords


def test_compose_runs_two_gateways_sharing_redis_next_to_citysim() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    gateways = {n: s for n, s in services.items() if n.startswith("gateway")}
    assert len(gateways) == 2
    assert {"redis", "citysim"} <= set(services)
    ports = {s["environment"]["CAAP_PORT"] for s in gateways.values()}
    assert len(ports) == 2
    for service in gateways.values():
        assert service["environment"]["CAAP_REDIS_URL"].startswith("redis://redis:")
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"

"""WaterQualityObserved (dataModel.WaterQuality): a lake or river sampling point."""

from __future__ import annotations

from typing import Any

from citysim.world.model import EntityModel, Sensor
from citysim.world.models.common import r1, r2


def generate(s: Sensor) -> dict[str, Any]:
    """Water temperature in °C, pH, conductivity in S/m, nitrate in mg/l, flow in m³/s."""
    w, fixed, now = s.weather, s.fixed, s.now
    nitrate = r2(fixed.uniform(0.2, 2.5) * (1.0 + 0.3 * (1.0 - w.summer)) + now.uniform(0, 0.05))
    return {
        "NO3": nitrate,
        "conductivity": round(fixed.uniform(0.005, 0.04) * (1.0 + now.normal(0, 0.02)), 4),
        "measurand": [f"NO3, {nitrate}, M1, Concentration of Nitrates"],
        "pH": r2(7.2 + fixed.normal(0, 0.3) + now.normal(0, 0.03)),
        "temperature": r1(
            max(0.2, 2.0 + 17.0 * w.summer + fixed.normal(0, 1.0) + now.normal(0, 0.1))
        ),
        "flow": r2(
            fixed.uniform(0.5, 40.0) * (1.0 + 0.5 * (1.0 - w.summer) + 0.1 * w.precipitation)
        ),
    }


MODEL = EntityModel(
    type_name="WaterQualityObserved",
    domain="WaterQuality",
    generate=generate,
    measured=frozenset({"NO3", "conductivity", "measurand", "pH", "temperature", "flow"}),
)

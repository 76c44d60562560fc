"""policy.*: personal and utility data are not public."""

from __future__ import annotations

from gateway.assessment.evidence import Evidence, Outcome, failed, passed
from gateway.assessment.target import CityTarget


async def personal_not_public(target: CityTarget) -> Outcome:
    """The sharing policy gives none of the profile's personal types to the public."""
    personal = target.profile.names("personal_types")
    shown: list[str] = []
    public: list[str] = []
    for name in personal:
        dataset = target.city.datasets.get(name)
        if dataset is None:
            shown.append(f"{name}: not shared")
            continue
        is_public = any(g.audience.public for g in dataset.access.grants)
        shown.append(f"{name}: {'public' if is_public else 'restricted'}")
        if is_public:
            public.append(name)
    evidence = Evidence(
        f"federation file: cities.{target.id}.datasets.<type>.access",
        "; ".join(shown) or "no personal types in the profile",
        f"none of {', '.join(personal)} public",
    )
    if public:
        return failed(f"personal or utility data public: {', '.join(public)}", evidence)
    return passed("personal and utility data are restricted", evidence)

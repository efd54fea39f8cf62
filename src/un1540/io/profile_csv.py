"""A State's profile as CSV: one row per record, whatever its section."""

from __future__ import annotations

from typing import Any

from un1540.io.csv_export import write_csv
from un1540.schemas.profiles import StateProfile

HEADER = ["iso3", "section", "id", "title", "status", "date", "detail"]


def profile_rows(profile: StateProfile) -> list[list[Any]]:
    iso3 = profile.state.iso3
    rows: list[list[Any]] = []
    matrix = profile.matrix
    if matrix is not None:
        rows.append(
            [
                iso3,
                "matrix",
                matrix.edition,
                matrix.framework,
                "approved",
                matrix.approved_on,
                f"{matrix.measures} X of {matrix.applicable} applicable; {matrix.blank} blank",
            ]
        )
        for gap in matrix.gaps:
            by_weapon = "; ".join(f"{w}: {n}" for w, n in sorted(gap.by_weapon.items()))
            rows.append(
                [
                    iso3,
                    "matrix_gaps",
                    gap.section,
                    gap.title,
                    "",
                    None,
                    f"{gap.blank} blank ({by_weapon}); fields: {', '.join(gap.fields)}",
                ]
            )
    for e in profile.editions:
        rows.append([iso3, "edition", e.number, "", e.status, e.approved_on, f"{e.measures} X"])
    for d in profile.documents:
        rows.append([iso3, "document", d.id, d.title, d.kind, d.issued_on, d.symbol])
    for v in profile.visits:
        rows.append(
            [
                iso3,
                "visit",
                v.id,
                v.public_summary or "",
                v.status,
                v.invited_on,
                f"conducted {v.conducted_from or ''}..{v.conducted_to or ''}",
            ]
        )
    for r in profile.requests:
        rows.append(
            [iso3, "assistance_request", r.id, r.title, r.status, r.received_on, " ".join(r.fields)]
        )
    for p in profile.projects:
        rows.append(
            [
                iso3,
                "assistance_project",
                p.id,
                p.title,
                p.status,
                p.start_on,
                f"provider {p.provider}",
            ]
        )
    for f in profile.funding_received:
        rows.append(
            [
                iso3,
                "funding_received",
                f.id,
                f.donor,
                f.kind,
                f.made_on,
                f"{f.amount:.2f} {f.currency} (project {f.project})",
            ]
        )
    for i in profile.incidents.items if profile.incidents else []:
        status = i.confirmation + (" restricted" if i.restricted else "")
        detail = f"{i.category}/{i.material_class}; fields: {', '.join(i.fields)}"
        rows.append([iso3, "incident", i.id, i.kind, status, i.occurred_on, detail])
    return rows


def profile_csv(profile: StateProfile) -> str:
    return write_csv(HEADER, profile_rows(profile), synthetic=profile.synthetic)

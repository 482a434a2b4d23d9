"""SQL for the names projects are shown by (the form the first reporter typed), beside their normalised keys."""

from __future__ import annotations

from collections.abc import Iterable

from storage.database import Executor, lookup, lookup_all, one_of


async def remember(db: Executor, platform: str, project: str, shown: str) -> bool:
    """Keep the shown name of a project unless it has one already (the first reporter's form stays); True when
    this one was kept."""
    return bool(await db.write_returning(  # group-committed with the reports written beside it
        "INSERT INTO project_names (platform, project, shown) VALUES (?, ?, ?) ON CONFLICT (platform, project) "
        "DO NOTHING RETURNING project",
        (platform, project, shown),
    ))


async def shown_name(db: Executor, platform: str, project: str) -> str | None:
    """The shown name of one project, or None when it has none."""
    row = await lookup(db, "SELECT shown FROM project_names WHERE platform = ? AND project = ?", (platform, project))
    return None if row is None else row["shown"]


async def shown_names(db: Executor, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The shown names of these (platform, project key) pairs that have one."""
    by_platform: dict[str, list[str]] = {}
    for platform, project in pairs:
        by_platform.setdefault(platform, []).append(project)
    found: dict[tuple[str, str], str] = {}
    for platform, projects in by_platform.items():
        among, params = one_of(db.dialect, "project", projects)
        rows = await lookup_all(  # primary-key seeks
            db, f"SELECT project, shown FROM project_names WHERE platform = ? AND {among}", (platform, *params))
        found.update({(platform, row["project"]): row["shown"] for row in rows})
    return found


async def forget_unused(db: Executor, pairs: Iterable[tuple[str, str]]) -> int:
    """Delete the shown names of these projects when no report names them any more; returns how many."""
    deleted = 0
    for platform, project in dict.fromkeys(pairs):
        deleted += await db.execute(
            "DELETE FROM project_names WHERE platform = ? AND project = ? AND NOT EXISTS "
            "(SELECT 1 FROM reports WHERE platform = ? AND project = ?)",
            (platform, project, platform, project),
        )
    return deleted

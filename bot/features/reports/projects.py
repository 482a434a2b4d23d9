"""Project names as shown: the form the first reporter typed ("Falcon"), while reports are matched and counted
by the normalised key ("falcon"), so "FALCON" and "falcon " are the same project."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storage import project_names as store

if TYPE_CHECKING:
    from bot.wiring import App


@dataclass(frozen=True)
class ProjectNames:
    """Shown names of some projects, by (platform, key)."""

    names: dict[tuple[str, str], str] = field(default_factory=dict)

    def of(self, platform: str, project: str) -> str:
        """The project's shown name ('' for the platform as a whole); its key when it has none stored."""
        return self.names.get((platform, project), project)


async def project_names(app: App, pairs: Iterable[tuple[str, str]]) -> ProjectNames:
    """The shown names of these (platform, project key) pairs."""
    wanted = [(platform, project) for platform, project in pairs if project]
    return ProjectNames(await store.shown_names(app.db, wanted) if wanted else {})

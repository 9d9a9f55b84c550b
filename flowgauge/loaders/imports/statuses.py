"""Work-item statuses in any common language mapped to todo / in_progress / done."""

from __future__ import annotations

import unicodedata

# Jira's three status categories, by key and by their display names in common languages.
CATEGORIES = {
    "todo": "new; to do; todo; zu erledigen; aufgaben; a faire; por hacer; tareas por hacer; pendiente; "
    "da fare; da completare; a fazer; itens pendentes; te doen; do zrobienia; att gora; 未着手; 할 일; 待办",
    "in_progress": "indeterminate; in progress; in arbeit; en cours; en curso; en progreso; in corso; "
    "em andamento; em progresso; in uitvoering; bezig; w toku; pagaende; 進行中; 진행 중; 处理中; 进行中",
    "done": "done; erledigt; fertig; termine; terminee; listo; hecho; finalizado; finalizada; completato; "
    "fatto; concluido; concluida; itens concluidos; gereed; klaar; gotowe; klar; 完了; 완료; 完成",
}

# Common status names (not categories) for exports without a Status Category column.
STATUS_NAMES = {
    "todo": "open; backlog; selected for development; ready; ready for development; reopened; new; "
    "offen; geoeffnet; neu; ouvert; ouverte; nouveau; abierto; abierta; nuevo; aperto; aberto; novo; "
    "to do; a faire; por hacer; zu erledigen",
    "in_progress": "in progress; in review; code review; review; in qa; qa; testing; in test; blocked; "
    "in development; in bearbeitung; in arbeit; in pruefung; en cours; en revision; en curso; en progreso; "
    "en revision; in corso; em andamento; em revisao",
    "done": "done; closed; resolved; released; deployed; won't do; wont do; cancelled; canceled; rejected; "
    "erledigt; geschlossen; fertig; geloest; termine; ferme; resolu; hecho; cerrado; resuelto; listo; "
    "finalizado; chiuso; risolto; fechado; resolvido; concluido",
}


def _plain(text: str) -> str:
    """Lower case without accents: 'Terminé' -> 'termine', 'Geöffnet' -> 'geoffnet' (and 'geoeffnet')."""
    lowered = text.strip().lower().replace("ö", "oe").replace("ü", "ue").replace("ä", "ae").replace("ß", "ss")
    return unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode() or text.strip().lower()


def _table(spec: dict[str, str]) -> dict[str, str]:
    return {_plain(name): category for category, names in spec.items() for name in names.split(";") if name.strip()}


_CATEGORY_NAMES = _table(CATEGORIES)
_STATUS_NAMES = _table(STATUS_NAMES)


def category_of(status_category: str | None) -> str | None:
    """A Status Category value (any common language, or Jira's key new/indeterminate/done) as todo|in_progress|done."""
    return _CATEGORY_NAMES.get(_plain(status_category)) if status_category else None


def category_from_status(status: str | None) -> str | None:
    """A status name's category from the table of common names, None when unknown."""
    if not status:
        return None
    return _STATUS_NAMES.get(_plain(status)) or _CATEGORY_NAMES.get(_plain(status))

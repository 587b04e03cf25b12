"""A clinician's Today sections about their own participants (primary clinician): those whose
week is at risk of missing the track's minimum hours, and last week's not met
(`attendance.at_risk`); and the authorizations running out (`authorizations.warnings`).
Enter or a double-click on a row opens that participant's chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QWidget

from iopdesk.domain.attendance import WeekStatus
from iopdesk.ui.participants.model import birth_date_format
from iopdesk.ui.today.parts import ListSection, flat_list, person_item

if TYPE_CHECKING:
    from iopdesk.domain.attendance_views import WeekHours
    from iopdesk.domain.authorizations import AuthorizationAlert

WARNING_COLOR = QColor("#b02a37")


def _tr(text: str) -> str:
    return QCoreApplication.translate("TodayArea", text)


def hours_text(minutes: int) -> str:
    """Minutes as hours and minutes: "4 h 30 min", "9 h", "45 min"."""
    hours, rest = divmod(max(minutes, 0), 60)
    if not hours:
        return _tr("{minutes} min").format(minutes=rest)
    if not rest:
        return _tr("{hours} h").format(hours=hours)
    return _tr("{hours} h {minutes} min").format(hours=hours, minutes=rest)


def _still_possible(week: WeekHours) -> str:
    """What the rest of the week can still bring, or by how much a week over fell short."""
    short = week.minimum_minutes - week.total_minutes
    if week.status == WeekStatus.NOT_MET:
        return _tr("Week over, {short} short").format(short=hours_text(short))
    if not week.possible_minutes:
        return _tr("Nothing more scheduled: {short} short").format(short=hours_text(short))
    return _tr("{more} more scheduled: {best} at most").format(
        more=hours_text(week.possible_minutes),
        best=hours_text(week.total_minutes + week.possible_minutes))


class AtRiskSection(ListSection):
    """This week's participants who cannot reach the minimum even attending everything left,
    and last week's who did not."""

    def __init__(self, parent: QWidget):
        tree = flat_list(parent, "todayAtRisk", [
            _tr("Participant"), _tr("Chart #"), _tr("Week"), _tr("Hours so far"),
            _tr("Minimum"), _tr("Still possible"), _tr("Track")], stretch=0)
        tree.setToolTip(_tr("Enter or double-click opens the chart"))
        super().__init__(_tr("At risk this week"), "todayAtRisk", tree, self._show, parent)

    def _show(self, weeks: tuple[WeekHours, ...]) -> str | None:
        for week in weeks:
            this_week = week.status == WeekStatus.AT_RISK
            item = person_item([
                week.name, week.chart_number,
                _tr("This week: at risk") if this_week else _tr("Last week: not met"),
                hours_text(week.total_minutes), hours_text(week.minimum_minutes),
                _still_possible(week), week.track_name], week.participant_id, week.chart_number)
            if this_week:
                item.setForeground(2, QBrush(WARNING_COLOR))
            self.tree.addTopLevelItem(item)
        return None if weeks else _tr("No one is at risk of missing this week's hours.")


def units_text(units: int) -> str:
    return (_tr("{count} unit") if units == 1 else _tr("{count} units")).format(count=units)


class AuthorizationsSection(ListSection):
    """The authorizations of the clinician's participants with a warning: few units left,
    used up, or the range ending soon or ended; the soonest to end first."""

    def __init__(self, parent: QWidget):
        tree = flat_list(parent, "todayAuthorizations", [
            _tr("Participant"), _tr("Chart #"), _tr("Payer"), _tr("Remaining"),
            _tr("Last date"), _tr("Warning")], stretch=0)
        tree.setToolTip(_tr("Enter or double-click opens the chart"))
        super().__init__(_tr("Authorizations running out"), "todayAuthorizations", tree,
                         self._show, parent)
        self._format = birth_date_format(QLocale())

    def _show(self, alerts: tuple[AuthorizationAlert, ...]) -> str | None:
        for alert in alerts:
            item = person_item([
                alert.participant_name, alert.chart_number, alert.payer,
                units_text(alert.remaining), QLocale().toString(alert.last, self._format),
                "; ".join(w.message for w in alert.warnings)],
                alert.participant_id, alert.chart_number)
            item.setToolTip(2, _tr("Authorization {number}").format(number=alert.number))
            item.setForeground(5, QBrush(WARNING_COLOR))
            self.tree.addTopLevelItem(item)
        return None if alerts else _tr("No authorization of your participants is running out.")

"""The work queue: submitted cases in triage order, filters, sorts, keyset pages, the CSV export,
and recording that a patient who needed contact today was contacted."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from intake import exports, forms, selectors, services
from intake.dates import age_on
from intake.enums import AuditAction
from intake.http import client_ip
from intake.selectors import queue_cache
from intake.views.common import audit_list_view, permission_or_404, whole_number

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class SortHeader:
    """A sortable column heading of the work queue: a link that sorts by it (ascending first,
    then the other way), and how it is sorted now."""

    label: str
    href: str
    aria_sort: str  # "ascending" | "descending" | "" (not sorted by this column)
    arrow: str
    hint: str  # for screen readers: what following the link does

    @property
    def aria(self) -> SafeString:
        """The heading's aria-sort attribute, when the queue is sorted by this column."""
        return format_html(' aria-sort="{}"', self.aria_sort) if self.aria_sort else SafeString("")

    @property
    def link(self) -> SafeString:
        return format_html(
            '<a class="sort-link" href="{}">{}<span class="sort-arrow" aria-hidden="true">{}</span>'
            '<span class="visually-hidden"> ({})</span></a>',
            self.href,
            self.label,
            self.arrow,
            self.hint,
        )


def _lower_first(text: str) -> str:
    """'Patient name, A to Z' -> 'patient name, A to Z', to go inside a sentence."""
    text = str(text)  # the labels are translated lazily
    return text[:1].lower() + text[1:]


def _sort_headers(query: QueryDict, current: str) -> dict[str, SortHeader]:
    """Each sortable column's heading; its link keeps every filter and starts at page 1."""
    filters = query.copy()
    filters.pop("sort", None)
    # The filters once, the order last: the same as each link's own copy with its order set.
    start = f"?{filters.urlencode()}&" if filters else "?"
    headers = {}
    for key, label in selectors.QUEUE_SORT_COLUMNS:
        if current == key:
            target, aria_sort, arrow = f"-{key}", "ascending", "▲"
        elif current == f"-{key}":
            target, aria_sort, arrow = key, "descending", "▼"
        else:
            target, aria_sort, arrow = key, "", ""
        link = f"{start}{urlencode({'sort': target})}"
        hint = _("sort: %(order)s") % {"order": _lower_first(selectors.QUEUE_SORTS[target][0])}
        headers[key] = SortHeader(str(label), link, aria_sort, arrow, hint)
    return headers


# The query-string keys that say which page of the queue; the rest are filters and the order.
PAGE_KEYS = ("after", "before", "page", "start")


def _queue_place(query: QueryDict) -> selectors.QueuePlace:
    return selectors.QueuePlace(
        after=whole_number(query.get("after")),
        before=whole_number(query.get("before")),
        last=query.get("page") == "last",
        start=whole_number(query.get("start")),
    )


@dataclass(frozen=True)
class Pager:
    """The queue's Previous and Next links (First and Last too) and what the page shows."""

    first: str
    previous: str
    next: str
    last: str
    showing: str


def _page_link(query: QueryDict, **place) -> str:
    link = query.copy()
    for key, value in place.items():
        if value is not None:
            link[key] = str(value)
    return f"?{link.urlencode()}"


def _pager(query: QueryDict, page: selectors.QueuePage) -> Pager:
    rows, start, per_page = page.rows, page.start, page.per_page
    if not rows:
        return Pager("", "", "", "", "")
    previous = ""
    if page.has_previous:
        back = start - per_page if start is not None else None
        previous = (
            _page_link(query)
            if back is not None and back <= 1
            else _page_link(query, before=rows[0].pk, start=back)
        )
    later = page.end + 1 if page.end is not None else None
    count = len(rows)
    if start is not None:
        showing = (
            _("Showing cases %(first)s–%(last)s") % {"first": start, "last": page.end}
            if count > 1
            else _("Showing case %(first)s") % {"first": start}
        )
    elif not page.has_next:
        showing = ngettext(
            "Showing the last %(count)s case", "Showing the last %(count)s cases", count
        ) % {"count": count}
    else:
        showing = ngettext("Showing %(count)s case", "Showing %(count)s cases", count) % {
            "count": count
        }
    return Pager(
        first=_page_link(query) if page.has_previous else "",
        previous=previous,
        next=_page_link(query, after=rows[-1].pk, start=later) if page.has_next else "",
        last=_page_link(query, page="last") if page.has_next else "",
        showing=showing,
    )


def _link_by_pk(name: str):
    """The URL of `name` for an id, reversed once for the page rather than once a row (the
    resolver's work was a large part of a row's cost)."""
    stand_in = 987654321
    before, after = reverse(name, args=[stand_in]).split(str(stand_in))
    return lambda pk: f"{before}{pk}{after}"


# One row of the queue's table. Written here rather than in a template: a page has 25 rows,
# and the template engine's cost for each was most of the page's time. _format escapes every
# value that is not already safe HTML (the partials' badges, the parts made here).
# Each cell shown below the xl breakpoint carries its column's name in data-label: on a phone
# (below md) the row is a block of its own and app.css writes the name before each value. The
# cells shown only on desktops never need one.
QUEUE_ROW = "\n".join(
    (
        "<tr{}>",
        '<td data-label="{}"><a class="text-nowrap" href="{}">{}</a>{}</td>',
        '<td class="d-none d-xl-table-cell">{}</td>',
        '<td data-label="{}"><a{} href="{}">{}</a>'
        '<div class="small text-body-secondary d-xl-none">{}</div></td>',
        "{}",  # status and assignee (_STATUS_CELLS)
        "{}",  # RLS and IBS (_CRITERIA_CELLS)
        '<td data-label="{}"><div class="queue-tests">{}</div></td>',
        '<td class="d-none d-xl-table-cell">{}</td>',
        '<td data-label="{}"><time datetime="{}"><span class="text-nowrap">{}</span> '
        '<span class="text-nowrap">{}</span></time></td>',
        "</tr>",
    )
)
# Below the xl breakpoint (tablets and small laptops, up to 1199 px) the urgent badge moves
# under the case number, the age under the name, the assignee under the status and IBS under
# RLS, so that every column fits (at 992 px the ten columns were 160 px too wide).
_STATUS_CELLS = (
    '<td data-label="{}">{}'
    '<div class="small text-body-secondary d-xl-none queue-assignee">{}</div></td>\n'
    '<td class="d-none d-xl-table-cell">{}</td>'
)
_CRITERIA_CELLS = (
    '<td data-label="{}"><div class="text-nowrap"><span class="d-xl-none small">RLS </span>{}'
    '</div><div class="d-xl-none mt-1 text-nowrap"><span class="small">IBS </span>{}</div></td>\n'
    '<td class="d-none d-xl-table-cell">{}</td>'
)


# A name with a word longer than this (a hyphen ends a word) is drawn in a box of its own that
# wraps it (app.css, .queue-long-name): otherwise that one word sets the Patient column's width
# and pushes the table out of its box. Ordinary names, their longest words shorter (such as
# "Featherstonehaugh-"), are drawn as before and never broken inside a word.
LONG_WORD = 20


def _has_long_word(name: str) -> bool:
    return any(len(word) > LONG_WORD for part in name.split() for word in part.split("-"))


@dataclass(frozen=True)
class ColumnNames:
    """The names a row's cells show before their values on a phone: the words of the column
    headings above them below the xl breakpoint (intake/staff/_queue_body.html), escaped."""

    case: SafeString
    patient: SafeString
    status: SafeString
    criteria: SafeString
    tests: SafeString
    submitted: SafeString

    @classmethod
    def translated(cls) -> ColumnNames:
        sortable = dict(selectors.QUEUE_SORT_COLUMNS)

        def name(text) -> SafeString:
            return SafeString(html.escape(str(text)))  # nosec B703 (escaped)

        return cls(
            case=name(sortable["case"]),
            patient=name(sortable["patient"]),
            status=name(" · ".join((_("Status"), _("Assignee")))),
            criteria=name("RLS " + _("and IBS")),
            tests=name(_("Tests flagged")),
            submitted=name(sortable["submitted"]),
        )


# A raised test: its short name shown, its full name (and whether it is optional or the clinic
# protocol's only) read out.
_TEST_BADGE = (
    '<span class="badge queue-test{}"><span aria-hidden="true">{}{}</span>'
    '<span class="visually-hidden">{}{}{}</span></span>'
)


def _format(template: str, *values) -> SafeString:
    """format_html for the rows: each value escaped unless it is already safe HTML, without
    format_html's check of every value for a lazy translation (a third of the rows' time)."""
    return SafeString(  # nosec B703 (built from escaped parts)
        template.format(
            *(value if isinstance(value, SafeData) else html.escape(str(value)) for value in values)
        )
    )


class _QueueRows:
    """Writes the table's rows (intake/staff/_queue_body.html shows them). What a page repeats
    (a status with its assignee, the criteria's badges, the red flags, a set of tests) is
    written once a page; the badges come from the same partials the case page includes."""

    def __init__(self) -> None:
        self.made: dict[tuple, SafeString] = {}
        self.case_url = _link_by_pk("intake:case")
        self.patient_url = _link_by_pk("intake:patient")
        self.zone = timezone.get_current_timezone()
        self.status_badge = get_template("intake/staff/_status_badge.html")
        self.urgent_badge = get_template("intake/staff/_urgent_badge.html")
        self.rules = get_template("intake/staff/_queue_rules.html")
        self.urgent_row = format_html(' class="{}"', "table-danger-subtle")
        self.contact = format_html(
            '<div><span class="badge text-bg-warning text-wrap">{}</span></div>',
            _("Contact today"),
        )
        self.no_flags = format_html('<span class="visually-hidden">{}</span>', _("No"))
        self.unassigned, self.age_text = _("unassigned"), _("age %(age)s")
        self.no_tests = format_html('<span class="text-body-secondary">{}</span>', _("none"))
        self.consider = format_html(' <span class="queue-test-optional">{}</span>', _("consider"))
        self.optional = ", " + _("optional: consider")
        self.protocol = " " + _("(clinic protocol)")
        self.names = ColumnNames.translated()
        self.long_name = SafeString(' class="queue-long-name"')

    def once(self, key: tuple, render) -> SafeString:
        if key not in self.made:
            self.made[key] = render()
        return self.made[key]

    def flags(self, intake) -> SafeString:
        """Urgent, crisis or emergency, with the red flags' rules; empty for other cases."""
        if not (intake.crisis or intake.urgent):
            return SafeString("")
        fired = tuple(selectors.red_flag_rules(intake))
        kind = (intake.crisis, intake.emergency, intake.urgent)
        badge = self.once(("urgent", kind), lambda: self.urgent_badge.render({"intake": intake}))
        rules = self.once(("rules", fired), lambda: self.rules.render({"rules": list(fired)}))
        return SafeString(badge + rules)  # nosec B703 (built from escaped parts)

    def criteria(self, rls: str, ibs: str) -> SafeString:
        def badge(value: str) -> SafeString:
            return self.once(
                ("criterion", value), lambda: self.status_badge.render({"value": value})
            )

        return _format(_CRITERIA_CELLS, self.names.criteria, badge(rls), badge(ibs), badge(ibs))

    def test_badge(self, test: selectors.QueueTest) -> SafeString:
        return _format(
            _TEST_BADGE,
            " queue-test-protocol" if test.protocol_only else "",
            test.short_name,
            self.consider if test.optional else "",
            test.name,
            self.optional if test.optional else "",
            self.protocol if test.protocol_only else "",
        )

    def tests(self, tests: list[selectors.QueueTest]) -> SafeString:
        badges = [
            self.once(
                ("test", test.test, test.protocol_only, test.optional),
                lambda t=test: self.test_badge(t),
            )
            for test in tests
        ]
        return SafeString("".join(badges)) if badges else self.no_tests  # nosec B703 (built from escaped parts)

    def row(self, intake, tests: list[selectors.QueueTest], age: int) -> SafeString:
        once, names = self.once, self.names
        flags = self.flags(intake)
        contact = intake.needs_contact
        assignee = intake.assignee_name or ""
        # ISO 8601 in the clinic's time zone; the page shows its date, hours and minutes.
        submitted = (
            intake.submitted_at.astimezone(self.zone).isoformat() if intake.submitted_at else ""
        )
        return _format(
            QUEUE_ROW,
            self.urgent_row if intake.urgent else "",
            names.case,
            self.case_url(intake.pk),
            intake.case_number,
            # After the case number: "Contact today", then (narrow screens) the flags.
            once(
                ("after number", contact, flags),
                lambda: format_html(
                    "{}{}",
                    self.contact if contact else "",
                    format_html('<div class="d-xl-none">{}</div>', flags) if flags else "",
                ),
            ),
            flags or self.no_flags,
            names.patient,
            self.long_name if _has_long_word(intake.patient.full_name) else "",
            self.patient_url(intake.patient_id),
            intake.patient.full_name,
            self.age_text % {"age": age},
            once(
                ("status", intake.status, assignee),
                lambda: _format(
                    _STATUS_CELLS,
                    names.status,
                    intake.get_status_display(),
                    assignee or self.unassigned,
                    assignee or "—",
                ),
            ),
            once(
                ("criteria", intake.rls_status, intake.ibs_status),
                lambda: self.criteria(intake.rls_status, intake.ibs_status),
            ),
            names.tests,
            once(
                ("tests", *((test.test, test.protocol_only, test.optional) for test in tests)),
                lambda: self.tests(tests),
            ),
            age,
            names.submitted,
            submitted,
            submitted[:10],
            submitted[11:16],
        )


def _rows_html(rows: list[tuple]) -> SafeString:
    """The page's rows, each (case, its raised tests, its age)."""
    writer = _QueueRows()
    return SafeString("\n".join(writer.row(*each) for each in rows))  # nosec B703 (built from escaped parts)


def _body_context(request: HttpRequest, query: QueryDict, filter_query: QueryDict) -> dict:
    """What the queue's body shows (intake/staff/_queue_body.html): the count strip, the
    filters, the page's rows and its links. The same for anyone with the same query on the
    same day (queue_cache keeps it per person all the same)."""
    filter_form = forms.QueueFilterForm(request.GET)
    filters = filter_form.filters()
    page = selectors.queue_page(user=request.user, filters=filters, place=_queue_place(request.GET))
    today = timezone.localdate()
    rows = [
        (intake, selectors.raised_tests(intake), age_on(intake.patient.date_of_birth, today))
        for intake in page.rows
    ]
    return {
        "rows_html": _rows_html(rows),
        "filter_form": filter_form,
        "filters": filters,
        "sort_label": _lower_first(selectors.QUEUE_SORTS[filters.sort][0]),
        "sort_headers": _sort_headers(filter_query, filters.sort),
        "page": page,
        "pager": _pager(query, page),
        "rows": rows,
        "counts": selectors.queue_counts(user=request.user),
        "query": query.urlencode(),
        "filter_query": filter_query.urlencode(),
    }


@never_cache
@login_required
@permission_required("intake.view_intake", raise_exception=True)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    query = request.GET.copy()
    for key in PAGE_KEYS:
        query.pop(key, None)
    # The filters alone, without the order: the sort links swap only the order.
    filter_query = query.copy()
    filter_query.pop("sort", None)
    # Read before the rows, so that a body kept from them is never newer than they are.
    kept = queue_cache.lookup(user=request.user, query=request.GET)
    needing_contact = selectors.contact_needed(user=request.user)
    if kept is not None and kept.html is not None:
        context, body, shown = {}, kept.html, kept.shown
    else:
        context = _body_context(request, query, filter_query)
        # Rendered without the request: nothing in it may depend on who asks (no CSRF token,
        # no permissions), since it is kept for the next view.
        body = render_to_string("intake/staff/_queue_body.html", context)
        shown = len(context["rows"])
        queue_cache.store(kept, html=body, shown=shown)
    audit_list_view(request, what="work queue", shown=shown + len(needing_contact.rows))
    return render(
        request,
        "intake/staff/queue.html",
        {
            **context,
            "body": body,
            "needing_contact": needing_contact,
            "query": query.urlencode(),
        },
    )


@login_required
@permission_or_404("intake.change_intake")
@require_POST
def record_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """From the work queue, or from the case page (`return_to=case`, a submitted case only)."""
    intake = selectors.contact_request(user=request.user, intake_id=pk)
    services.record_contact(intake_id=intake.pk, by=request.user, ip_address=client_ip(request))
    messages.success(
        request,
        _("Recorded that %(name)s (%(case)s) was contacted.")
        % {"name": intake.patient.full_name, "case": intake.case_number},
    )
    if request.POST.get("return_to") == "case" and not intake.is_draft:
        return redirect("intake:case", pk=intake.pk)
    return redirect("intake:queue")


@login_required
@permission_required("intake.view_intake", raise_exception=True)
@require_GET
def export_queue(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered queue as CSV, streamed row by row (docs/csv-codebook.md)."""
    filter_form = forms.QueueFilterForm(request.GET)
    filters = filter_form.filters()
    if filter_form.errors:
        # The queue page shows an unknown filter's error and leaves the filter out; a download
        # has nowhere to show it, and must never hold more patients than were asked for.
        messages_text = [error for errors in filter_form.errors.values() for error in errors]
        return HttpResponse(
            "\n".join(messages_text), status=400, content_type="text/plain; charset=utf-8"
        )
    services.record_event(
        action=AuditAction.EXPORT,
        actor=request.user,
        ip_address=client_ip(request),
        summary="work queue CSV" + (f": {request.GET.urlencode()}" if request.GET else ""),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        exports.queue_csv_lines(selectors.export_rows(user=request.user, filters=filters)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
    return response

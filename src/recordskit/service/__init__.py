"""The service layer: the one surface every front end calls (the command line, the web pages).

Each function takes plain values (a ``Workspace``, a request id, typed options) and returns data,
never printed text; the front end words and shows it. ``__all__`` is the whole surface:
``recordskit.cli`` and ``recordskit.web`` import nothing else of the package
(``tests/test_layout.py`` enforces it). Names are loaded on first use, so a command that needs
little starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recordskit.deadlines.events import (
        deadline_title,
    )
    from recordskit.deadlines.notices import (
        Notice,
    )
    from recordskit.directory.copies import (
        init_user_copy,
        update_user_copy,
    )
    from recordskit.directory.edit import (
        EditableDirectory,
    )
    from recordskit.directory.load import (
        check_directory,
        load_directory,
        stale_sources,
        untranslated_records,
    )
    from recordskit.directory.questions import (
        ask_contact,
        ask_new_agency,
        ask_source,
    )
    from recordskit.documents.batch.run import (
        make_batch,
    )
    from recordskit.documents.batch.spreadsheet import (
        write_template,
    )
    from recordskit.documents.family_words import (
        deadline_in_words,
        family_notes,
        family_words,
    )
    from recordskit.documents.make import (
        MadeAppeal,
        MadeFollowUp,
        MadeRequest,
        make_appeal,
        make_followup,
        make_request,
        prepare_request,
    )
    from recordskit.documents.render import (
        LetterTemplate,
        recordskit_version,
        stamp,
    )
    from recordskit.documents.samples import (
        SAMPLE_CONTEXTS,
    )
    from recordskit.documents.template_check import (
        check_folder,
    )
    from recordskit.errors import (
        InteractiveSessionError,
        RecordskitError,
        UserError,
    )
    from recordskit.files import (
        refuse_to_replace,
        write_file,
    )
    from recordskit.i18n import (
        N_,
        _,
        current_language,
        detect_language,
        set_language,
    )
    from recordskit.inputfile import (
        parse_value,
    )
    from recordskit.intake.answers import (
        answers_yaml,
        load_answers,
    )
    from recordskit.intake.asker import (
        Asker,
        Option,
    )
    from recordskit.intake.interview import (
        run_interview,
    )
    from recordskit.intake.privacy import (
        Finding,
    )
    from recordskit.intake.terminal import (
        NO_TERMINAL,
        TerminalAsker,
    )
    from recordskit.law import (
        LAW,
    )
    from recordskit.logged import (
        Received,
        Response,
        parse_day,
        stored_details,
    )
    from recordskit.models import (
        Directory,
        directory_json_schema,
    )
    from recordskit.paths import (
        InUse,
        agencies_file,
        agencies_in_use,
        templates_dir,
        user_agencies_file,
    )
    from recordskit.replies.reading import (
        ReplyKind,
        ReplyReading,
    )
    from recordskit.service.replies import (
        LoggedReply,
        ProposedEvent,
        Reply,
        ReplyProposal,
        RequestMatch,
        StatedReceipt,
        find_reply_request,
        load_reply,
        load_reply_stream,
        log_reply,
        propose_reply_events,
    )
    from recordskit.service.requests import (
        ClosedDay,
        PassedDate,
        Preparation,
        answers_from_mapping,
        answers_in_words,
        default_folder,
        prepare,
    )
    from recordskit.service.tracking import (
        Action,
        CalendarFile,
        Recorded,
        RequestView,
        StatusFilter,
        StatusReport,
        StatusRow,
        calendar_file,
        export_requests,
        find_request,
        import_requests,
        record_event,
        references_of,
        request_calendar,
        request_view,
        state_choices,
        status_rows,
        undo,
        view_of,
    )
    from recordskit.service.words import (
        ENGLISH_FILES,
        MEANINGS,
        REPLY_WORDS,
        action_text,
        command_line,
        date_role_text,
        details_text,
        event_text,
        file_role,
        logged_event_text,
        meanings,
        next_step_words,
        reply_kind_text,
        response_text,
        situation_words,
        state_text,
        status_data,
    )
    from recordskit.service.workspace import (
        Workspace,
        today_from_environment,
    )
    from recordskit.text import (
        closed_day_words,
        iso_day,
        local_date,
        long_date,
        rule_statement,
    )
    from recordskit.tracking.log import (
        LoggedRequest,
        RequestLog,
    )
    from recordskit.tracking.open import (
        open_log,
    )
    from recordskit.vocabulary import (
        FINAL_STATES,
        LOGGABLE,
        BatchStatus,
        Delivery,
        EventKind,
        GroundKind,
        ResponseKind,
        State,
    )

_HOME: dict[str, str] = {
    'Workspace': 'recordskit.service.workspace',
    'today_from_environment': 'recordskit.service.workspace',
    'Preparation': 'recordskit.service.requests',
    'PassedDate': 'recordskit.service.requests',
    'prepare': 'recordskit.service.requests',
    'answers_from_mapping': 'recordskit.service.requests',
    'default_folder': 'recordskit.service.requests',
    'load_answers': 'recordskit.intake.answers',
    'parse_value': 'recordskit.inputfile',
    'answers_yaml': 'recordskit.intake.answers',
    'make_request': 'recordskit.documents.make',
    'prepare_request': 'recordskit.documents.make',
    'MadeRequest': 'recordskit.documents.make',
    'run_interview': 'recordskit.intake.interview',
    'TerminalAsker': 'recordskit.intake.terminal',
    'NO_TERMINAL': 'recordskit.intake.terminal',
    'Asker': 'recordskit.intake.asker',
    'Finding': 'recordskit.intake.privacy',
    'Notice': 'recordskit.deadlines.notices',
    'view_of': 'recordskit.service.tracking',
    'answers_in_words': 'recordskit.service.requests',
    'event_text': 'recordskit.service.words',
    'details_text': 'recordskit.service.words',
    'response_text': 'recordskit.service.words',
    'reply_kind_text': 'recordskit.service.words',
    'date_role_text': 'recordskit.service.words',
    'REPLY_WORDS': 'recordskit.service.words',
    'logged_event_text': 'recordskit.service.words',
    'next_step_words': 'recordskit.service.words',
    'meanings': 'recordskit.service.words',
    'file_role': 'recordskit.service.words',
    'situation_words': 'recordskit.service.words',
    'MEANINGS': 'recordskit.service.words',
    'ENGLISH_FILES': 'recordskit.service.words',
    'Action': 'recordskit.service.tracking',
    'StatusFilter': 'recordskit.service.tracking',
    'StatusRow': 'recordskit.service.tracking',
    'StatusReport': 'recordskit.service.tracking',
    'status_rows': 'recordskit.service.tracking',
    'RequestView': 'recordskit.service.tracking',
    'request_view': 'recordskit.service.tracking',
    'find_request': 'recordskit.service.tracking',
    'Recorded': 'recordskit.service.tracking',
    'record_event': 'recordskit.service.tracking',
    'undo': 'recordskit.service.tracking',
    'CalendarFile': 'recordskit.service.tracking',
    'calendar_file': 'recordskit.service.tracking',
    'request_calendar': 'recordskit.service.tracking',
    'ClosedDay': 'recordskit.service.requests',
    'export_requests': 'recordskit.service.tracking',
    'import_requests': 'recordskit.service.tracking',
    'state_choices': 'recordskit.service.tracking',
    'action_text': 'recordskit.service.words',
    'state_text': 'recordskit.service.words',
    'status_data': 'recordskit.service.words',
    'command_line': 'recordskit.service.words',
    'make_followup': 'recordskit.documents.make',
    'make_appeal': 'recordskit.documents.make',
    'MadeFollowUp': 'recordskit.documents.make',
    'MadeAppeal': 'recordskit.documents.make',
    'LoggedRequest': 'recordskit.tracking.log',
    'RequestLog': 'recordskit.tracking.log',
    'open_log': 'recordskit.tracking.open',
    'deadline_title': 'recordskit.deadlines.events',
    'family_words': 'recordskit.documents.family_words',
    'deadline_in_words': 'recordskit.documents.family_words',
    'family_notes': 'recordskit.documents.family_words',
    'EventKind': 'recordskit.vocabulary',
    'LOGGABLE': 'recordskit.vocabulary',
    'ResponseKind': 'recordskit.vocabulary',
    'State': 'recordskit.vocabulary',
    'GroundKind': 'recordskit.vocabulary',
    'Delivery': 'recordskit.vocabulary',
    'BatchStatus': 'recordskit.vocabulary',
    'FINAL_STATES': 'recordskit.vocabulary',
    'stored_details': 'recordskit.logged',
    'parse_day': 'recordskit.logged',
    'make_batch': 'recordskit.documents.batch.run',
    'write_template': 'recordskit.documents.batch.spreadsheet',
    'Directory': 'recordskit.models',
    'directory_json_schema': 'recordskit.models',
    'load_directory': 'recordskit.directory.load',
    'check_directory': 'recordskit.directory.load',
    'stale_sources': 'recordskit.directory.load',
    'untranslated_records': 'recordskit.directory.load',
    'init_user_copy': 'recordskit.directory.copies',
    'update_user_copy': 'recordskit.directory.copies',
    'EditableDirectory': 'recordskit.directory.edit',
    'ask_new_agency': 'recordskit.directory.questions',
    'ask_contact': 'recordskit.directory.questions',
    'ask_source': 'recordskit.directory.questions',
    'agencies_file': 'recordskit.paths',
    'agencies_in_use': 'recordskit.paths',
    'user_agencies_file': 'recordskit.paths',
    'templates_dir': 'recordskit.paths',
    'InUse': 'recordskit.paths',
    'check_folder': 'recordskit.documents.template_check',
    'LetterTemplate': 'recordskit.documents.render',
    'stamp': 'recordskit.documents.render',
    'recordskit_version': 'recordskit.documents.render',
    'SAMPLE_CONTEXTS': 'recordskit.documents.samples',
    'refuse_to_replace': 'recordskit.files',
    'write_file': 'recordskit.files',
    'LAW': 'recordskit.law',
    'local_date': 'recordskit.text',
    'iso_day': 'recordskit.text',
    'closed_day_words': 'recordskit.text',
    'long_date': 'recordskit.text',
    'rule_statement': 'recordskit.text',
    '_': 'recordskit.i18n',
    'N_': 'recordskit.i18n',
    'set_language': 'recordskit.i18n',
    'detect_language': 'recordskit.i18n',
    'current_language': 'recordskit.i18n',
    'RecordskitError': 'recordskit.errors',
    'UserError': 'recordskit.errors',
    'InteractiveSessionError': 'recordskit.errors',
    'ReplyKind': 'recordskit.replies.reading',
    'ReplyReading': 'recordskit.replies.reading',
    'Reply': 'recordskit.service.replies',
    'ReplyProposal': 'recordskit.service.replies',
    'ProposedEvent': 'recordskit.service.replies',
    'RequestMatch': 'recordskit.service.replies',
    'StatedReceipt': 'recordskit.service.replies',
    'LoggedReply': 'recordskit.service.replies',
    'load_reply': 'recordskit.service.replies',
    'load_reply_stream': 'recordskit.service.replies',
    'find_reply_request': 'recordskit.service.replies',
    'propose_reply_events': 'recordskit.service.replies',
    'log_reply': 'recordskit.service.replies',
    'references_of': 'recordskit.service.tracking',
    'Option': 'recordskit.intake.asker',
    'Received': 'recordskit.logged',
    'Response': 'recordskit.logged',
}
"""Where each public name lives."""

__all__ = [
    'ENGLISH_FILES',
    'FINAL_STATES',
    'LAW',
    'LOGGABLE',
    'MEANINGS',
    'NO_TERMINAL',
    'N_',
    'REPLY_WORDS',
    'SAMPLE_CONTEXTS',
    'Action',
    'Asker',
    'BatchStatus',
    'CalendarFile',
    'ClosedDay',
    'Delivery',
    'Directory',
    'EditableDirectory',
    'EventKind',
    'Finding',
    'GroundKind',
    'InUse',
    'InteractiveSessionError',
    'LetterTemplate',
    'LoggedReply',
    'LoggedRequest',
    'MadeAppeal',
    'MadeFollowUp',
    'MadeRequest',
    'Notice',
    'Option',
    'PassedDate',
    'Preparation',
    'ProposedEvent',
    'Received',
    'Recorded',
    'RecordskitError',
    'Reply',
    'ReplyKind',
    'ReplyProposal',
    'ReplyReading',
    'RequestLog',
    'RequestMatch',
    'RequestView',
    'Response',
    'ResponseKind',
    'State',
    'StatedReceipt',
    'StatusFilter',
    'StatusReport',
    'StatusRow',
    'TerminalAsker',
    'UserError',
    'Workspace',
    '_',
    'action_text',
    'agencies_file',
    'agencies_in_use',
    'answers_from_mapping',
    'answers_in_words',
    'answers_yaml',
    'ask_contact',
    'ask_new_agency',
    'ask_source',
    'calendar_file',
    'check_directory',
    'check_folder',
    'closed_day_words',
    'command_line',
    'current_language',
    'date_role_text',
    'deadline_in_words',
    'deadline_title',
    'default_folder',
    'details_text',
    'detect_language',
    'directory_json_schema',
    'event_text',
    'export_requests',
    'family_notes',
    'family_words',
    'file_role',
    'find_reply_request',
    'find_request',
    'import_requests',
    'init_user_copy',
    'iso_day',
    'load_answers',
    'load_directory',
    'load_reply',
    'load_reply_stream',
    'local_date',
    'log_reply',
    'logged_event_text',
    'long_date',
    'make_appeal',
    'make_batch',
    'make_followup',
    'make_request',
    'meanings',
    'next_step_words',
    'open_log',
    'parse_day',
    'parse_value',
    'prepare',
    'prepare_request',
    'propose_reply_events',
    'record_event',
    'recordskit_version',
    'references_of',
    'refuse_to_replace',
    'reply_kind_text',
    'request_calendar',
    'request_view',
    'response_text',
    'rule_statement',
    'run_interview',
    'set_language',
    'situation_words',
    'stale_sources',
    'stamp',
    'state_choices',
    'state_text',
    'status_data',
    'status_rows',
    'stored_details',
    'templates_dir',
    'today_from_environment',
    'undo',
    'untranslated_records',
    'update_user_copy',
    'user_agencies_file',
    'view_of',
    'write_file',
    'write_template',
]


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value  # once found, an ordinary attribute
        return value
    raise AttributeError(f"module 'recordskit.service' has no attribute {name!r}")

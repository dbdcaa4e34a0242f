"""Every message the page templates show, marked here too so that the translators' catalog
(``tools/extract_messages.py``, which reads Python) keeps them; ``tests/web/test_web_words.py``
checks that this list and the templates agree. (NEEDS.md: with templates extracted
directly, this module can go.)
"""

from __future__ import annotations

from recordskit.i18n import N_

TEMPLATE_MESSAGES: tuple[str, ...] = (
    N_('What did the school answer?'),
    N_('What did the agency answer?'),
    N_('Back to the request'),
    N_('Request: {asked}'),
    N_('On what date did the answer come?'),
    N_('YYYY-MM-DD, for example 2026-11-23.'),
    N_('If they need more time: the date they gave for the records'),
    N_('YYYY-MM-DD. Leave it empty otherwise.'),
    N_('If they asked for money: how much, in dollars'),
    N_('Leave it empty otherwise.'),
    N_('Their reference number, if they gave one'),
    N_('They kept back records without naming the law that allows it'),
    N_('Only if they refused, or sent only some of the records.'),
    N_('A note for yourself, if you want'),
    N_('Save'),
    N_('An appeal to the Supervisor of Records'),
    N_('The Supervisor of Records, at the Secretary of the Commonwealth, can order the '
       'agency to answer and to release the records. An appeal costs nothing.'),
    N_('You can appeal to the Supervisor of Records until {date}.'),
    N_('recordskit writes the appeal in English (appeal.docx), a copy for the agency '
       '(appeal_cover.docx), and, in your language, a page that says what the appeal asks '
       'and a list of what to attach, where to send it and by when.'),
    N_('Anything else you object to, in your own words (you may leave it empty)'),
    N_('You may write in your own language. The appeal is in English: recordskit puts your '
       'words into it as you wrote them.'),
    N_('Make the appeal'),
    N_('Error:'),
    N_("Skip to the page's content"),
    N_('Main menu'),
    N_('New request'),
    N_('My requests'),
    N_('Language'),
    N_('Please check this'),
    N_('Everything stays on this computer; recordskit sends nothing anywhere.'),
    N_('Finish and forget'),
    N_('On a shared computer: this page forgets your answers. Your letters stay in their folder.'),
    N_('Go to the start page'),
    N_('A follow-up letter'),
    N_('The letter is in English, for the agency. recordskit also writes a page in your '
       'language that says what it asks and what to do next, and remembers the day it asks '
       'for a reply by.'),
    N_('Make the follow-up letter'),
    N_('Your answers are forgotten'),
    N_('This page no longer knows you or your answers. You can close this window.'),
    N_('Your letters stay in their folder on this computer. To come back, open the address '
       'recordskit printed when it started, and open your request by its number.'),
    N_('Ask for public records'),
    N_('recordskit writes a letter that asks a Boston agency for its records under the '
       "Massachusetts Public Records Law, or asks your child's school for your child's "
       'record. It tells you every date that follows, and helps you when the agency '
       'answers, or does not.'),
    N_('Start a new request'),
    N_('What do you want to ask for?'),
    N_('Public records: policies, reports, emails, data'),
    N_('Records about how an agency works, under the Public Records Law'),
    N_("My child's own school record"),
    N_("A parent's right to see and copy their child's student record"),
    N_('My own school record (I am 14 or older, or in 9th grade or above)'),
    N_("An eligible student's right to see their own record"),
    N_('Continue'),
    N_('Choose your language'),
    N_('In English, for the agency'),
    N_('A detail to check'),
    N_('This letter can be released to anyone who asks for it. What you wrote seems to '
       'contain {what}: {excerpt}'),
    N_("If you want your own child's records, a request for the child's student record is "
       'faster and keeps them private.'),
    N_("Ask for my child's own school record instead"),
    N_('What should happen to it?'),
    N_('Remove it from the letter'),
    N_('Keep it'),
    N_('Edit the text'),
    N_('Change the text in the box below.'),
    N_('The text you wrote'),
    N_('To: {agency}'),
    N_('Sent: {date}'),
    N_('Where it stands: {state}'),
    N_('Request number: {id}'),
    N_('Next step'),
    N_('The agency answered'),
    N_('The school answered'),
    N_('Download my dates for a calendar'),
    N_('Close this request'),
    N_('Your files'),
    N_('The letters marked “In English, for the agency” are what the agency or the '
       'Supervisor of Records reads. Your summary says in your language what they ask.'),
    N_('What the letters say'),
    N_('letter.docx asks the principal of {school} for the complete student record, the '
       'list of everyone who has seen it, and any school police reports about the student, '
       'with a copy to the BPS Office of Legal Advisor.'),
    N_('letter.docx asks {agency}, under the Massachusetts Public Records Law, for the '
       'records you chose, for every part that can be released, and for an answer by '
       '{date}. It limits the fees it accepts.'),
    N_('The follow-up letter reminds the agency of what the law asks and of the dates it '
       'missed, and asks for a reply by a date.'),
    N_('appeal.docx asks the Supervisor of Records to order the agency to answer and to '
       'release the records, giving each reason the law allows; appeal_cover.docx is the '
       "same appeal for the agency's records officer, who must receive a copy."),
    N_('The folder of this request is not on this computer.'),
    N_('I sent the appeal'),
    N_('On what date did you send it?'),
    N_('The appeal number the Supervisor gave, if you have it'),
    N_('Your dates'),
    N_('What happened'),
    N_('Saved something by mistake? Undo it: it stays in the log, marked undone, and your '
       'dates are counted again without it.'),
    N_('undone'),
    N_('Undo'),
    N_('Next step:'),
    N_('No requests yet in this visit.'),
    N_('Open an earlier request'),
    N_('Request number'),
    N_('It is on your summary, and on this page when you made the request.'),
    N_('Open'),
    N_('Check your answers'),
    N_('Change an answer'),
    N_('Agency'),
    N_('Records'),
    N_('The student'),
    N_('Who is asking'),
    N_('How it is sent'),
    N_('This letter can be released to anyone who asks for it. Write only what you are '
       'comfortable with others reading.'),
    N_('The letter to the agency is in English, as the agency reads it. Your summary and '
       'your dates are in your language.'),
    N_('The letter to the school is in English, as the school reads it. Your summary and '
       'your dates are in your language.'),
    N_('Write the letter and schedule now'),
    N_('Which agency has the records?'),
    N_('{count} kinds of records in the catalog'),
    N_('Which records do you want from {agency}?'),
    N_('Records from the catalog'),
    N_('Choose any. None is fine if you describe the records in your own words below.'),
    N_('Any other records? Describe them in your own words:'),
    N_('You may write in your own language. The letter to the agency is in English: '
       'recordskit puts your words into it as you wrote them, so the agency may need to '
       'translate them. Writing in English, if you can, helps the agency answer faster.'),
    N_('Dates of the records'),
    N_('Records from what date?'),
    N_("YYYY-MM-DD, for example 2019-01-31. Leave it empty to use each record's usual range."),
    N_('Records up to what date?'),
    N_('YYYY-MM-DD. Leave it empty for no end date.'),
    N_('Who is asking? Only a way to receive the answer is needed.'),
    N_('This letter can be released to others. An organization can file it for you: then '
       "give the organization's name and contact instead of yours."),
    N_('Your name:'),
    N_('You may leave it empty.'),
    N_('Organization filing the request, if any:'),
    N_('A clinic or group may file for a family. You may leave it empty.'),
    N_('Email address for the answer:'),
    N_('An email address or a mailing address is needed, or both.'),
    N_('Mailing address:'),
    N_('Phone number:'),
    N_('How will you give the letter to the school?'),
    N_('By email to the principal'),
    N_("By hand, at the school's main office"),
    N_('By mail to the school'),
    N_('By email to {where}'),
    N_('Through the online portal, {where}'),
    N_('By mail to {where}'),
    N_('By hand to {where}'),
    N_('By email, to an address you know'),
    N_('Through an online portal you know'),
    N_('By mail, to an address you know'),
    N_('By hand, at an address you know'),
    N_("recordskit's directory has no such address for {agency}"),
    N_('How will you send the letter?'),
    N_('The address to send it to, if you chose a way with an address you know:'),
    N_("An email address, a portal's web address, or a mailing or street address. Leave it "
       'empty otherwise.'),
    N_('On what date will you send it?'),
    N_('Yes: it was sent on that day'),
    N_('Do you want to ask for a fee waiver?'),
    N_('No'),
    N_('Yes: the records are in the public interest'),
    N_('They help the public understand what government does, and are not for business'),
    N_('Yes: I cannot afford fees'),
    N_('Largest fee you accept without being asked first, in dollars:'),
    N_('(0 means: ask me before charging anything)'),
    N_('How do you want the records?'),
    N_('Electronic copies (free of copy fees)'),
    N_('Paper copies by mail'),
    N_('Paper copies need a mailing address: give one under Who is asking.'),
    N_("A student's own record is not asked for with a public records request: student "
       'records are kept from the public, and the student records rules give you a faster, '
       'stronger right to see and copy them. recordskit writes that request instead.'),
    N_("The student's full name:"),
    N_('Your full name:'),
    N_("The student's school:"),
    N_('(for example: East Boston High School)'),
    N_('Grade:'),
    N_('Does the student live with you?'),
    N_('Yes: I am the custodial parent, or we share custody'),
    N_('No: the student lives with the other parent'),
    N_('The school tells the other parent first, and answers some weeks later'),
    N_('Step {number} of {count}'),
)

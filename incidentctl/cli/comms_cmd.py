"""``incidentctl comms``: render a runbook template with live facts, and record what was said."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from incidentctl.cli import complete
from incidentctl.cli.app import App, by_option, json_option, key_values, pass_app
from incidentctl.i18n import t

if TYPE_CHECKING:
    from incidentctl.comms.messages import Message
    from incidentctl.incidents.service import View


@click.command("comms")
@click.argument("incident", metavar="INC", shell_complete=complete.incidents)
@click.argument(
    "template_id", metavar="[TEMPLATE]", required=False, shell_complete=complete.templates
)
@click.option(
    "--list", "list_only", is_flag=True, help="List the runbook's templates and who they are for."
)
@click.option(
    "--phrases",
    "list_phrases",
    is_flag=True,
    help="List the phrase library: the manual's own scripts (话术), each cited to its "
    "section, which templates use as {phrase.ID}.",
)
@click.option(
    "--channel",
    metavar="NAME",
    help="Where it goes: one of the template's channels (default: its first; `--list` shows them).",
)
@click.option(
    "--set",
    "values",
    multiple=True,
    metavar="KEY=VALUE",
    callback=key_values,
    help="A value for a template input or a placeholder, except the promised times "
    "{eta}, {eta_in} and {next_update} (repeat for several).",
)
@click.option(
    "--send",
    is_flag=True,
    help="Record the message as sent (exact text, channel, time); refused while a blank is left.",
)
@click.option(
    "--draft",
    is_flag=True,
    help="Render it now whatever is unknown, each blank marked [TO FILL: topic]; never sent.",
)
@click.option(
    "--edit",
    is_flag=True,
    help="Edit the text, blanks included, in $EDITOR before showing or recording it.",
)
@click.option(
    "--message-lang",
    type=click.Choice(["zh", "en"]),
    help="Language of the message (default: --lang).",
)
@by_option
@json_option
@pass_app
def comms(
    app: App,
    incident: str,
    template_id: str | None,
    list_only: bool,
    list_phrases: bool,
    channel: str | None,
    values: dict[str, str],
    send: bool,
    draft: bool,
    edit: bool,
    message_lang: str | None,
    as_json: bool,
) -> int:
    """Render a message (customer notice, internal update, regulator report, press
    statement) from the incident's pinned runbook, filled with live facts: title,
    tier, times, scope, commander, id.

    A time the message promises is never made up: {eta} is the ETA committed with
    `incidentctl set INC eta TIME`, and {next_update} the next scheduled update,
    else that ETA.  A message needing one that nobody committed to is refused,
    naming the command that commits to it.

    The text goes to stdout.  --draft renders it whatever is still unknown, each
    blank marked [TO FILL: topic] (［待填：topic］ in Chinese), and says how to fill
    each; a draft is never sent.  --edit opens the text, blanks included, in
    $EDITOR.  With --send it is recorded on the incident (refused while a blank is
    left), so the post-mortem shows what was said, when and to whom; a recorded
    message of a recurring update's template counts as that update.
    """
    from incidentctl.comms import messages

    if draft and send:
        raise click.UsageError(t("err.comms.draft_send", app.lang))
    svc = app.incidents()
    view = svc.view(incident)
    if list_phrases:
        return app.report(messages.phrase_listing(), as_json=as_json)
    if list_only or template_id is None:
        return app.report(messages.template_uses(view.runbook), as_json=as_json)
    if channel:
        _check_channel(app, view, template_id, channel)
    now = view.now()
    message = messages.prepare(
        view,
        template_id,
        lang=message_lang or app.lang,
        deadlines=app.deadlines(view, now),
        now=now,
        zone=app.zone,
        org=app.config.org,
        values=values,
        draft=draft or edit,
    )
    if edit:
        edited = click.edit(message.text)
        if edited is not None and edited.strip():
            message = _edited(message, edited)
    if channel:
        message = message._replace(channel=channel)
    if not send:
        return app.report(message, as_json=as_json)
    sent = messages.send(svc, view, message, channel=message.channel, values=values)
    return app.report(sent, as_json=as_json)


def _check_channel(app: App, view: View, template_id: str, channel: str) -> None:
    """A channel the message cannot go out on is a bad value of --channel (exit 2),
    refused before anything is rendered, edited or recorded."""
    from incidentctl.comms import messages
    from incidentctl.errors import InvalidInput

    template = messages.find_template(view, template_id)
    try:
        messages.check_channel(view.runbook, template, channel)
    except InvalidInput as exc:
        raise click.BadParameter(exc.text(app.lang), param_hint="'--channel'") from None


def _edited(message: Message, text: str) -> Message:
    """``message`` with the text as edited: with a subject, its first line is the subject
    and the rest the body."""
    text = text.strip("\n")
    if message.subject is None:
        return message._replace(body=text)
    subject, _, body = text.partition("\n")
    return message._replace(subject=subject.strip() or None, body=body.strip("\n"))

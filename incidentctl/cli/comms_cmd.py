"""``incidentctl comms``: render a runbook template with live facts, and record what was said."""

from __future__ import annotations

import click

from incidentctl.cli.app import App, by_option, json_option, key_values, pass_app


@click.command("comms")
@click.argument("incident", metavar="INC")
@click.argument("template_id", metavar="[TEMPLATE]", required=False)
@click.option(
    "--list", "list_only", is_flag=True, help="List the runbook's templates and who they are for."
)
@click.option(
    "--channel", metavar="NAME", help="Where it goes (default: the template's first channel)."
)
@click.option(
    "--set",
    "values",
    multiple=True,
    metavar="KEY=VALUE",
    callback=key_values,
    help="A value for a template input or a placeholder (repeat for several).",
)
@click.option(
    "--send", is_flag=True, help="Record the message as sent (exact text, channel, time)."
)
@click.option(
    "--edit", is_flag=True, help="Edit the text in $EDITOR before showing or recording it."
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
    channel: str | None,
    values: dict[str, str],
    send: bool,
    edit: bool,
    message_lang: str | None,
    as_json: bool,
) -> None:
    """Render a message (customer notice, internal update, regulator report, press
    statement) from the incident's pinned runbook, filled with live facts: title,
    tier, times, the next committed time as the ETA, scope, commander, id.

    The text goes to stdout.  With --send it is recorded on the incident, so the
    post-mortem shows what was said, when and to whom; a recorded message of a
    recurring update's template counts as that update.
    """
    from incidentctl.comms.messages import compose, find_template, live_facts, satisfied_steps
    from incidentctl.errors import InvalidInput

    svc = app.incidents()
    view = svc.view(incident)
    if list_only or template_id is None:
        from incidentctl.render.i18n import t
        from incidentctl.render.table import table

        users: dict[str, list[str]] = {}
        for step in view.runbook.steps:
            for tpl in step.templates:
                users.setdefault(tpl, []).append(step.id)
        rows = [
            [
                tp.id,
                tp.audience,
                tp.name.get(app.lang),
                ", ".join(tp.channels),
                ", ".join(users.get(tp.id, [])),
            ]
            for tp in view.runbook.templates.values()
        ]
        if as_json:
            app.json(
                [
                    dict(zip(["id", "audience", "name", "channels", "steps"], r, strict=True))
                    for r in rows
                ]
            )
        else:
            headers = [
                t("id", app.lang),
                t("audience", app.lang),
                t("title", app.lang),
                t("channels", app.lang),
                t("steps", app.lang),
            ]
            app.echo(table(headers, rows, max_width=app.width, shrink=4))
        return
    template = find_template(view, template_id)
    lang = message_lang or app.lang
    now = app.clock.now()
    facts = live_facts(view, app.deadlines(view), now, app.zone, lang, app.config.org, template.id)
    unknown = [k for k in values if k not in facts and k not in {i.id for i in template.inputs}]
    if unknown:
        raise InvalidInput(
            f"template {template.id} has no placeholder '{unknown[0]}'; its inputs: "
            + (", ".join(i.id for i in template.inputs) or "none")
        )
    message = compose(template, lang, {**facts, **values})
    body = message.body
    if edit:
        edited = click.edit(message.text if not message.subject else body)
        if edited is not None and edited.strip():
            body = edited.rstrip("\n")
    where = channel or (template.channels[0] if template.channels else "")
    if as_json and not send:
        app.json(
            {
                "template": template.id,
                "audience": template.audience,
                "lang": lang,
                "channel": where,
                "subject": message.subject,
                "text": body,
            }
        )
        return
    if not as_json:
        if message.subject:
            click.echo(message.subject)
            click.echo("")
        click.echo(body)
    if send:
        if not where:
            raise InvalidInput(f"template {template.id} names no channel; give --channel")
        inputs = {i.id: values[i.id] for i in template.inputs if i.id in values}
        event = svc.send(
            view.state.id,
            template=template.id,
            lang=lang,
            channel=where,
            subject=message.subject,
            text=body,
            inputs=inputs,
        )
        if as_json:
            app.json(event.as_dict())
        else:
            counted = satisfied_steps(view, template.id)
            extra = f"; counts as {', '.join(counted)}" if counted else ""
            app.echo(
                f"{event.incident} #{event.seq}: recorded {template.id} to {template.audience} via {where}{extra}",
                err=True,
            )

package bot

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/cadences"
	"github.com/followup-dev/followup/i18n"
)

// defineCadences tells an agent how cadences come to be.
const defineCadences = "A supervisor defines one at the command line with `followup cadences add NAME STEP…` (see `followup cadences add --help`)."

// startCadence starts the cadence the command names on the contact. It is
// a recorded request like send: the request id makes running it again
// after a crash start the cadence once.
func (b *Bot) startCadence(ctx context.Context, p i18n.Printer, agent followup.Agent, cmd Command) *slack.Msg {
	c, err := b.act.Cadence(ctx, cadences.NormalizeName(cmd.Cadence))
	if followup.ErrorCodeOf(err) == followup.ENotFound {
		return b.unknownCadence(ctx, p, cmd.Cadence)
	}
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	// A cadence that sends templates goes to WhatsApp unless --via says
	// otherwise.
	t, m := b.target(ctx, p, cmd, actions.UsesTemplates(c))
	if m != nil {
		return m
	}
	var approved []followup.Template
	if t.Channel == followup.WhatsApp {
		ts, err := b.act.Templates(ctx, followup.WhatsApp)
		if err != nil {
			return b.errorMsg(p, err, "")
		}
		approved = ts
	}
	if problem := cadenceProblem(p, c, t.Channel, approved); problem != "" {
		return b.errorMsg(p, followup.Errorf(followup.EInvalid, "%s; nothing was started.", problem), "")
	}
	id := cmd.RequestID
	if id == "" {
		id = requestID()
	}
	out, err := b.act.StartCadence(ctx, actor(agent), t, c, id)
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	return outcomeMsg(p, t, out)
}

// cadenceProblem says in p's language what keeps cadence c from running
// on channel ch ("" when nothing does): a template step anywhere but
// WhatsApp, or on WhatsApp a template (a step's, or a fallback's) that is
// not approved with the parameters the step gives. ts are the WhatsApp
// templates.
func cadenceProblem(p i18n.Printer, c cadences.Cadence, ch followup.Channel, ts []followup.Template) string {
	if ch != followup.WhatsApp {
		for i, st := range c.Steps {
			if st.Template != nil {
				return p.Sprintf("The cadence %s sends the WhatsApp template %s at step %d, and %s has no templates: start it on WhatsApp", c.Name, escape(st.Template.Name), i+1, p.Text(ch.Title()))
			}
		}
		return ""
	}
	for i, st := range c.Steps {
		tpl := st.Template
		if tpl == nil && st.Else != nil {
			tpl = st.Else.Template
		}
		if tpl == nil {
			continue
		}
		if problem := templateProblem(tpl.Name, len(tpl.Params), ts); problem != nil {
			return p.Sprintf("Step %d of the cadence %s cannot be sent on WhatsApp: %s", i+1, c.Name, lowerFirst(p.Error(problem)))
		}
	}
	return ""
}

// lowerFirst lower-cases the first letter of s (of any alphabet).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// unknownCadence answers a cadence name that is not defined with the
// names that are, or how one is defined when none is.
func (b *Bot) unknownCadence(ctx context.Context, p i18n.Printer, name string) *slack.Msg {
	cs, err := b.act.Cadences(ctx)
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	if len(cs) == 0 {
		return b.errorMsg(p, followup.Errorf(followup.ENotFound, "No cadence is defined yet, so there is no “%s” to start. %s", escape(truncate(name, 40)), i18n.Msg(defineCadences)), "")
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return b.errorMsg(p, followup.Errorf(followup.ENotFound, "There is no cadence called “%s”. The cadences are: %s (`%s %s` shows their steps).",
		escape(truncate(name, 40)), strings.Join(names, ", "), commandName, VerbCadences), "")
}

// listCadences answers `cadences`: each defined cadence on a line, with
// its steps as a supervisor writes them.
func (b *Bot) listCadences(ctx context.Context, p i18n.Printer, _ followup.Agent, _ Command) *slack.Msg {
	cs, err := b.act.Cadences(ctx)
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	if len(cs) == 0 {
		return textMsg(p.Sprintf("No cadence is defined yet. %s", p.Text(defineCadences)))
	}
	header := p.Sprintf("%d cadence(s); start one with `%s %s <contact> <name>`:", len(cs), b.cfg.Command, VerbCadence)
	lines := make([]string, len(cs))
	for i, c := range cs {
		lines[i] = cadenceLine(c)
	}
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: clip(header+"\n"+strings.Join(lines, "\n"), maxSectionText),
		Blocks: slack.Blocks{BlockSet: append([]slack.Block{slack.NewSectionBlock(md(header), nil, nil)}, sections(p, lines)...)}}
}

// cadenceLine is a cadence on one line: its name and its steps in the
// canonical form (cadences.Step.String), which reads back as written.
func cadenceLine(c cadences.Cadence) string {
	steps := make([]string, len(c.Steps))
	for i, st := range c.Steps {
		steps[i] = escape(st.String())
	}
	return fmt.Sprintf("• *%s*: %s", c.Name, strings.Join(steps, " · "))
}

// maxBlocks is Slack's limit on the blocks of a message.
const maxBlocks = 50

// sections packs lines into as few section blocks as Slack's limits allow
// (3000 characters each, 50 blocks a message), each line whole unless it
// alone is too long.
func sections(p i18n.Printer, lines []string) []slack.Block {
	var blocks []slack.Block
	var cur []string
	n := 0
	flush := func() {
		if len(cur) > 0 {
			blocks = append(blocks, slack.NewSectionBlock(md(strings.Join(cur, "\n")), nil, nil))
		}
		cur, n = nil, 0
	}
	for i, l := range lines {
		l = clip(l, maxSectionText)
		size := len([]rune(l)) + 1
		if n+size > maxSectionText {
			flush()
		}
		if len(blocks) == maxBlocks-2 {
			blocks = append(blocks, slack.NewContextBlock("", md(p.Sprintf("…and %d more.", len(lines)-i))))
			return blocks
		}
		cur = append(cur, l)
		n += size
	}
	flush()
	return blocks
}

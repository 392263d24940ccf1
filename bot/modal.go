package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/cadences"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/window"
)

// CallbackFollowUp is the Follow up modal's callback id.
const CallbackFollowUp = "followup.modal"

// Block ids of the modal's inputs; each input's action id is "v".
const (
	blockChannel  = "channel"
	blockText     = "text"
	blockTemplate = "template"
	blockParam    = "param" // + 1, 2, …
	blockTag      = "tag"
	blockWhen     = "when"
	blockWhenAt   = "when_at" // a datetimepicker, beside the typed when
	blockCadence  = "cadence"
	inputAction   = "v"
)

// maxParamFields bounds the template parameter fields the modal shows.
const maxParamFields = 5

// modalMeta is the modal's private_metadata.
type modalMeta struct {
	ContactID int64 `json:"c"`
}

// openFollowUp opens the Follow up modal for a contact.
func (b *Bot) openFollowUp(ctx context.Context, p i18n.Printer, triggerID string, contactID int64) error {
	c, err := b.act.Contact(ctx, contactID)
	if err != nil {
		return err
	}
	ids, err := b.act.Identities(ctx, contactID)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return followup.Errorf(followup.EInvalid, "%s has no channel to write on", c.FullName())
	}
	set, err := b.act.Settings(ctx)
	if err != nil {
		return err
	}
	var templates []followup.Template
	for _, id := range ids {
		if id.Channel == followup.WhatsApp {
			if templates, err = b.act.Templates(ctx, followup.WhatsApp); err != nil {
				return err
			}
		}
	}
	cs, err := b.act.Cadences(ctx)
	if err != nil {
		return err
	}
	now := b.cfg.Now()
	_, err = b.slack.OpenViewContext(ctx, triggerID, followUpModal(p, c, ids, actions.Windows(ids, set, now), approved(templates), cs, actions.BestChannel(ids, set, now)))
	return err
}

func approved(ts []followup.Template) []followup.Template {
	out := ts[:0:0]
	for _, t := range ts {
		if t.Status == followup.TemplateApproved {
			out = append(out, t)
		}
	}
	return out
}

// followUpModal builds the modal: channel (with what each allows now),
// text, the approved templates and their parameters when the contact has
// WhatsApp, a tag picker when it has Messenger, when to send, and the
// defined cadences (cs) to start instead, when there are any.
func followUpModal(p i18n.Printer, c followup.Contact, ids []followup.Identity, ws []window.State, templates []followup.Template, cs []cadences.Cadence, best followup.Channel) slack.ModalViewRequest {
	meta, _ := json.Marshal(modalMeta{ContactID: c.ID})
	lines := make([]string, len(ws))
	for i, w := range ws {
		lines[i] = channelLine(p, ids[i], w)
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(md(fmt.Sprintf("*%s*  #%d\n%s", escape(c.FullName()), c.ID, strings.Join(lines, "\n"))), nil, nil),
	}
	var options []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	hasMessenger := false
	for i, id := range ids {
		o := slack.NewOptionBlockObject(string(id.Channel), plain(clip(p.Text(id.Channel.Title())+" — "+p.Text(ws[i].Allowance.Label()), 75)), nil)
		options = append(options, o)
		if id.Channel == best {
			initial = o
		}
		hasMessenger = hasMessenger || id.Channel == followup.Messenger
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(p.Sprintf("Channel")), inputAction, options...)
	sel.InitialOption = initial
	blocks = append(blocks, slack.NewInputBlock(blockChannel, plain(p.Sprintf("Channel")), nil, sel))

	text := slack.NewPlainTextInputBlockElement(plain(p.Sprintf("What to tell the customer")), inputAction)
	text.Multiline = true
	text.MaxLength = 3000 // Slack's most; the byte limit is checked on submit
	blocks = append(blocks, optional(slack.NewInputBlock(blockText, plain(p.Sprintf("Message")), plain(p.Sprintf("Free text, where the channel allows it.")), text)))

	params := 0
	var topts []*slack.OptionBlockObject
	for _, t := range templates {
		if t.ParamCount > maxParamFields {
			continue // more fields than the modal has: /followup template sends it
		}
		label := p.Sprintf("%s (%s, %d parameter(s))", t.Name, t.Language, t.ParamCount)
		topts = append(topts, slack.NewOptionBlockObject(t.Name+"|"+t.Language, plain(clip(label, 75)), plain(clip(t.Body, 75))))
		params = max(params, t.ParamCount)
		if len(topts) == 100 { // Slack's most options in a static select
			break
		}
	}
	if len(topts) > 0 {
		blocks = append(blocks, optional(slack.NewInputBlock(blockTemplate, plain(p.Sprintf("WhatsApp template")),
			plain(p.Sprintf("Required on WhatsApp after its 24-hour window.")), slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(p.Sprintf("Approved templates")), inputAction, topts...))))
		for i := 1; i <= params; i++ {
			blocks = append(blocks, optional(slack.NewInputBlock(blockParam+strconv.Itoa(i), plain(p.Sprintf("Template parameter {{%d}}", i)), nil,
				slack.NewPlainTextInputBlockElement(nil, inputAction))))
		}
	}
	if hasMessenger {
		var tagOpts []*slack.OptionBlockObject
		for _, t := range followup.AgentTags {
			tagOpts = append(tagOpts, slack.NewOptionBlockObject(string(t), plain(string(t)), nil))
		}
		blocks = append(blocks, optional(slack.NewInputBlock(blockTag, plain(p.Sprintf("Messenger message tag")),
			plain(p.Sprintf("Required on Messenger after 7 days; only for the kind of update the tag names.")), slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(p.Sprintf("Tag")), inputAction, tagOpts...))))
	}
	blocks = append(blocks, optional(slack.NewInputBlock(blockWhenAt, plain(p.Sprintf("Send at")), plain(p.Sprintf("Empty: now, or when written below. In your time zone.")),
		slack.NewDateTimePickerBlockElement(inputAction))))
	blocks = append(blocks, optional(slack.NewInputBlock(blockWhen, plain(p.Sprintf("Or when")), plain(p.Sprintf("Empty: now. Or %s, in your Slack time zone.", p.Text(actions.WhenForms))),
		slack.NewPlainTextInputBlockElement(plain(p.Sprintf("now")), inputAction))))
	var copts []*slack.OptionBlockObject
	for _, cd := range cs {
		label := p.Sprintf("%s (%d touch(es))", cd.Name, len(cd.Steps))
		var first *slack.TextBlockObject
		if len(cd.Steps) > 0 {
			first = plain(clip(cd.Steps[0].String(), 75))
		}
		copts = append(copts, slack.NewOptionBlockObject(cd.Name, plain(clip(label, 75)), first))
		if len(copts) == 100 { // Slack's most options in a static select
			break
		}
	}
	if len(copts) > 0 {
		blocks = append(blocks, optional(slack.NewInputBlock(blockCadence, plain(p.Sprintf("Or start a cadence")),
			plain(p.Sprintf("A sequence of touches, each sent in the form the channel allows then; a reply stops the rest. Leave the message, template and when empty.")),
			slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(p.Sprintf("Cadence")), inputAction, copts...))))
	}

	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: CallbackFollowUp, PrivateMetadata: string(meta),
		Title: plain(p.Sprintf("Follow up")), Submit: plain(p.Sprintf("Send")), Close: plain(p.Sprintf("Cancel")),
		Blocks: slack.Blocks{BlockSet: blocks},
	}
}

func optional(b *slack.InputBlock) *slack.InputBlock {
	b.Optional = true
	return b
}

// followUpForm is what an agent submitted in the modal.
type followUpForm struct {
	Channel  followup.Channel
	Text     string
	Template string // "name|language"
	Params   []string
	Tag      followup.Tag
	When     string
	WhenAt   int64  // Unix seconds picked in the datetimepicker, or 0
	Cadence  string // a cadence's name
}

// readForm reads the modal's state.
func readForm(v slack.View) followUpForm {
	get := func(block string) slack.BlockAction {
		if v.State == nil {
			return slack.BlockAction{}
		}
		return v.State.Values[block][inputAction]
	}
	f := followUpForm{
		Channel:  followup.Channel(get(blockChannel).SelectedOption.Value),
		Text:     strings.TrimSpace(get(blockText).Value),
		Template: get(blockTemplate).SelectedOption.Value,
		Tag:      followup.Tag(get(blockTag).SelectedOption.Value),
		When:     strings.TrimSpace(get(blockWhen).Value),
		WhenAt:   get(blockWhenAt).SelectedDateTime,
		Cadence:  get(blockCadence).SelectedOption.Value,
	}
	for i := 1; i <= maxParamFields; i++ {
		f.Params = append(f.Params, strings.TrimSpace(get(blockParam+strconv.Itoa(i)).Value))
	}
	return f
}

// validateForm checks a submission against the channel's rules now and
// returns the send request, or errors keyed by block id to show inline.
// cs holds the cadence the form picked, if it is still defined.
func validateForm(p i18n.Printer, f followUpForm, ids []followup.Identity, set followup.Settings, templates []followup.Template, cs []cadences.Cadence, now time.Time) (actions.SendRequest, map[string]string) {
	errs := map[string]string{}
	var req actions.SendRequest
	var id *followup.Identity
	for i := range ids {
		if ids[i].Channel == f.Channel {
			id = &ids[i]
		}
	}
	if id == nil {
		errs[blockChannel] = p.Sprintf("Pick one of the contact's channels.")
		return req, errs
	}
	if f.Cadence != "" {
		return validateCadence(p, f, cs, templates)
	}
	switch {
	case f.When != "" && f.WhenAt != 0:
		errs[blockWhen] = p.Sprintf("Pick a time above or write one here, not both.")
	case f.WhenAt != 0:
		// The picked time obeys the rules of a written one.
		at := time.Unix(f.WhenAt, 0)
		switch {
		case !at.After(now):
			errs[blockWhenAt] = p.Sprintf("That time has passed; pick one ahead, or clear it to send now.")
		case at.Sub(now) > actions.MaxScheduleAhead:
			errs[blockWhenAt] = p.Sprintf("Pick a time at most %d days ahead.", int(actions.MaxScheduleAhead.Hours()/24))
		}
		req.At = at
	case f.When != "":
		at, err := actions.ParseWhen(f.When, now)
		var we *actions.WhenError
		switch {
		case errors.As(err, &we):
			format, args := we.MessageFormat()
			errs[blockWhen] = p.Sprintf(format, args...)
		case err != nil:
			errs[blockWhen] = err.Error()
		}
		req.At = at
	}
	in := window.Input{Channel: f.Channel, Now: now, Settings: set, Text: f.Text != "", Tag: f.Tag}
	if !req.At.IsZero() {
		in.Now = req.At
	}
	if id.LastInboundAt != nil {
		in.LastInbound = *id.LastInboundAt
	}
	if len(f.Text) > MaxTextBytes {
		errs[blockText] = p.Sprintf("At most %d bytes.", MaxTextBytes)
	}
	req.Text, req.Tag = f.Text, f.Tag
	if f.Tag != "" && f.Channel != followup.Messenger {
		errs[blockTag] = p.Sprintf("Message tags are Messenger's; clear it for %s.", p.Text(f.Channel.Title()))
	}
	if f.Template != "" && f.Text != "" {
		errs[blockText] = p.Sprintf("Send either this message or the template; clear one of them.")
		return req, errs
	}
	if f.Template != "" {
		if f.Channel != followup.WhatsApp {
			errs[blockTemplate] = p.Sprintf("Templates are WhatsApp's; clear it for %s.", p.Text(f.Channel.Title()))
			return req, errs
		}
		name, lang, _ := strings.Cut(f.Template, "|")
		var t *followup.Template
		for i := range templates {
			if templates[i].Name == name && templates[i].Language == lang {
				t = &templates[i]
			}
		}
		if t == nil {
			errs[blockTemplate] = p.Sprintf("That template is not approved any more; pick another.")
			return req, errs
		}
		params := f.Params[:min(t.ParamCount, len(f.Params))]
		for i, v := range params {
			if v == "" {
				errs[blockParam+strconv.Itoa(i+1)] = p.Sprintf("%s needs %d parameter(s); fill {{%d}}.", t.Name, t.ParamCount, i+1)
			}
		}
		for i := t.ParamCount; i < len(f.Params); i++ {
			if f.Params[i] != "" {
				errs[blockParam+strconv.Itoa(i+1)] = p.Sprintf("%s takes %d parameter(s); clear this one.", t.Name, t.ParamCount)
			}
		}
		req.Template = &actions.TemplateRequest{Name: t.Name, Language: t.Language, Params: append([]string(nil), params...)}
		in.Template = &window.Template{Name: t.Name, Status: t.Status, ParamCount: t.ParamCount, ParamsGiven: len(params)}
		in.Text = false
	}
	if len(errs) > 0 {
		return req, errs
	}
	if !in.Text && in.Template == nil {
		errs[blockText] = p.Sprintf("Write a message (or pick a template on WhatsApp).")
		return req, errs
	}
	d := window.Decide(in)
	if d.Allowed {
		return req, nil
	}
	w := window.Window(in)
	switch msg := p.Text(d.Message); {
	case w.Allowance == window.TemplateOnly && len(templates) > 0:
		errs[blockTemplate] = msg
	case w.Allowance == window.TagOnly:
		errs[blockTag] = msg
	case w.Allowance == window.Nothing:
		errs[blockChannel] = msg
	default:
		errs[blockText] = msg
	}
	return req, errs
}

// validateCadence checks a form that starts a cadence: nothing else is
// filled in, the cadence is still defined, and its templates can be sent
// on the channel picked.
func validateCadence(p i18n.Printer, f followUpForm, cs []cadences.Cadence, templates []followup.Template) (actions.SendRequest, map[string]string) {
	var c *cadences.Cadence
	for i := range cs {
		if cs[i].Name == f.Cadence {
			c = &cs[i]
		}
	}
	switch {
	case f.Text != "" || f.Template != "" || f.Tag != "" || f.When != "" || f.WhenAt != 0:
		return actions.SendRequest{}, map[string]string{blockCadence: p.Sprintf("A cadence sends its own messages: clear the message, template, tag and when, or clear the cadence.")}
	case c == nil:
		return actions.SendRequest{}, map[string]string{blockCadence: p.Sprintf("That cadence is not defined any more; pick another.")}
	}
	if problem := cadenceProblem(p, *c, f.Channel, templates); problem != "" {
		block := blockCadence
		if f.Channel != followup.WhatsApp {
			block = blockChannel
		}
		return actions.SendRequest{}, map[string]string{block: problem + "."}
	}
	return actions.SendRequest{Cadence: actions.WorkflowCadence(*c)}, nil
}

// submitFollowUp validates a Follow up modal submission; a valid one is
// sent in the background and the modal closes. The agent hears the outcome
// from the follow-up's notification, or here by DM when it failed before.
func (b *Bot) submitFollowUp(ctx context.Context, p i18n.Printer, agent followup.Agent, v slack.View) *slack.ViewSubmissionResponse {
	var meta modalMeta
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil || meta.ContactID == 0 {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blockChannel: p.Sprintf("This form is out of date; open it again.")})
	}
	f := readForm(v)
	c, err := b.act.Contact(ctx, meta.ContactID)
	if err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blockChannel: p.Error(err)})
	}
	ids, err := b.act.Identities(ctx, c.ID)
	if err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blockChannel: p.Error(err)})
	}
	set, err := b.act.Settings(ctx)
	if err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blockChannel: p.Error(err)})
	}
	var templates []followup.Template
	if f.Channel == followup.WhatsApp {
		ts, err := b.act.Templates(ctx, followup.WhatsApp)
		if err != nil {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{blockChannel: p.Error(err)})
		}
		templates = approved(ts)
	}
	var cs []cadences.Cadence
	if f.Cadence != "" {
		c, err := b.act.Cadence(ctx, f.Cadence)
		switch {
		case err == nil:
			cs = append(cs, c)
		case followup.ErrorCodeOf(err) != followup.ENotFound:
			return slack.NewErrorsViewSubmissionResponse(map[string]string{blockCadence: p.Error(err)})
		}
	}
	now := b.cfg.Now()
	if f.When != "" || f.WhenAt != 0 {
		now = now.In(b.zone(ctx, agent.SlackUserID))
	}
	req, errs := validateForm(p, f, ids, set, templates, cs, now)
	if len(errs) > 0 {
		return slack.NewErrorsViewSubmissionResponse(errs)
	}
	key := "modal-" + v.ID + "-" + v.Hash // a resubmitted view sends once
	// Recorded before the modal closes, so a crash does not lose it.
	if m := b.accept(ctx, p, key, agent, job{Modal: &modalJob{ContactID: c.ID, Channel: f.Channel, Request: req}}, ""); m.Type != msgAck && m.Type != msgReceived {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blockChannel: clip(m.Text, 150)})
	}
	return nil
}

// dm posts m to the agent's direct messages with the app.
func (b *Bot) dm(ctx context.Context, userID string, m *slack.Msg) {
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if len(m.Blocks.BlockSet) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks.BlockSet...))
	}
	if _, _, err := b.slack.PostMessageContext(ctx, userID, opts...); err != nil {
		b.log.Error("slack: direct message", "user", userID, "err", err)
	}
}

// clip shortens s to at most n characters (Slack counts characters), the
// last being "…" when it was cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

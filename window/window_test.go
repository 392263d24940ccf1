package window_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/window"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	day = 24 * time.Hour
	ns  = time.Nanosecond
)

// opt adjusts a test input.
type opt func(*window.Input)

// input is an agent's free text on ch, the customer having written since ago.
func input(ch followup.Channel, since time.Duration, opts ...opt) window.Input {
	in := window.Input{
		Channel:     ch,
		Now:         t0,
		LastInbound: t0.Add(-since),
		Settings:    followup.DefaultSettings(),
		Text:        true,
	}
	for _, o := range opts {
		o(&in)
	}
	return in
}

func never(in *window.Input)          { in.LastInbound = time.Time{} }
func noText(in *window.Input)         { in.Text = false }
func automated(in *window.Input)      { in.Automated = true }
func providerClosed(in *window.Input) { in.WindowClosed = true }
func tagsOff(in *window.Input)        { in.Settings.MessageTagsEnabled = false }
func commercial(in *window.Input)     { in.Settings.ViberCommercialTerms = true }

func tag(t followup.Tag) opt   { return func(in *window.Input) { in.Tag = t } }
func sent(n int) opt           { return func(in *window.Input) { in.SentInWindow = n } }
func chatbotSent(n int) opt    { return func(in *window.Input) { in.ChatbotThisMonth = n } }
func wechatLimit(n int) opt    { return func(in *window.Input) { in.Settings.WeChatMessageLimit = n } }
func viberAllowance(n int) opt { return func(in *window.Input) { in.Settings.ViberFreeAllowance = n } }
func settings(f func(*followup.Settings)) opt {
	return func(in *window.Input) { f(&in.Settings) }
}

func tmpl(status followup.TemplateStatus, count, given int) opt {
	return func(in *window.Input) {
		in.Template = &window.Template{Name: "order_update", Status: status, ParamCount: count, ParamsGiven: given}
	}
}

// Expected decisions. The message is checked separately: present exactly when refused.
func allowed(mode followup.Mode, a window.Allowance) window.Decision {
	return window.Decision{Allowed: true, Mode: mode, Allowance: a, Remaining: -1}
}

func freeText(closesAt time.Time, next window.Allowance) window.Decision {
	d := allowed(followup.ModeFreeText, window.FreeText)
	d.ClosesAt, d.Next = closesAt, next
	return d
}

func refused(r window.Reason, a window.Allowance) window.Decision {
	return window.Decision{Reason: r, Allowance: a, Remaining: -1}
}

func with(d window.Decision, f func(*window.Decision)) window.Decision {
	f(&d)
	return d
}

func TestDecide(t *testing.T) {
	last := func(since time.Duration) time.Time { return t0.Add(-since) }
	templateOK := allowed(followup.ModeTemplate, window.TemplateOnly)
	tagged := func(tg followup.Tag) window.Decision {
		d := allowed(followup.ModeMessageTag, window.TagOnly)
		d.Tag = tg
		return d
	}
	humanAgent := func(since time.Duration, next window.Allowance) window.Decision {
		d := allowed(followup.ModeHumanAgent, window.HumanAgent)
		d.Tag, d.ClosesAt, d.Next = followup.TagHumanAgent, last(since).Add(7*day), next
		return d
	}
	chatbot := func(remaining int) window.Decision {
		d := allowed(followup.ModeChatbot, window.Chatbot)
		d.Remaining = remaining
		return d
	}
	wechat := func(since time.Duration, remaining int) window.Decision {
		d := freeText(last(since).Add(2*day), window.Nothing)
		d.Remaining = remaining
		if remaining == 0 {
			d.ClosesAt = t0
		}
		return d
	}

	tests := []struct {
		name string
		in   window.Input
		want window.Decision
	}{
		// Channels without a window.
		{"telegram long ago", input(followup.Telegram, 400*day), allowed(followup.ModeFreeText, window.FreeText)},
		{"line never wrote", input(followup.LINE, 0, never), allowed(followup.ModeFreeText, window.FreeText)},
		{"webchat", input(followup.Webchat, time.Hour), allowed(followup.ModeFreeText, window.FreeText)},
		{"sms", input(followup.SMS, 30*day), allowed(followup.ModeFreeText, window.FreeText)},
		{"email automated", input(followup.Email, 30*day, automated), allowed(followup.ModeFreeText, window.FreeText)},
		{"email provider closed is ignored", input(followup.Email, 30*day, providerClosed), allowed(followup.ModeFreeText, window.FreeText)},
		{"telegram tag ignored", input(followup.Telegram, 30*day, tag(followup.TagAccountUpdate)), allowed(followup.ModeFreeText, window.FreeText)},
		{"telegram text and template sends text", input(followup.Telegram, 30*day, tmpl(followup.TemplateApproved, 0, 0)), allowed(followup.ModeFreeText, window.FreeText)},
		{"telegram template only", input(followup.Telegram, 30*day, noText, tmpl(followup.TemplateApproved, 0, 0)), refused(window.ReasonTemplateNotSupported, window.FreeText)},
		{"sms empty", input(followup.SMS, time.Hour, noText), refused(window.ReasonNoContent, window.FreeText)},
		{"sms tag only is empty", input(followup.SMS, time.Hour, noText, tag(followup.TagAccountUpdate)), refused(window.ReasonNoContent, window.FreeText)},
		{"unknown channel", input("pigeon", time.Hour), refused(window.ReasonUnknownChannel, window.Nothing)},
		{"invalid tag", input(followup.Telegram, time.Hour, tag("PROMO")), refused(window.ReasonTagInvalid, window.FreeText)},
		{"agent cannot pick HUMAN_AGENT", input(followup.Messenger, 2*day, tag(followup.TagHumanAgent)), refused(window.ReasonTagInvalid, window.HumanAgent)},

		// WhatsApp: 24 h free text, then approved templates only.
		{"whatsapp 1h", input(followup.WhatsApp, time.Hour), freeText(last(time.Hour).Add(day), window.TemplateOnly)},
		{"whatsapp 24h-1ns", input(followup.WhatsApp, day-ns), freeText(last(day-ns).Add(day), window.TemplateOnly)},
		{"whatsapp exactly 24h", input(followup.WhatsApp, day), refused(window.ReasonTemplateRequired, window.TemplateOnly)},
		{"whatsapp 3d text", input(followup.WhatsApp, 3*day), refused(window.ReasonTemplateRequired, window.TemplateOnly)},
		{"whatsapp never wrote text", input(followup.WhatsApp, 0, never), refused(window.ReasonTemplateRequired, window.TemplateOnly)},
		{"whatsapp never wrote template", input(followup.WhatsApp, 0, never, noText, tmpl(followup.TemplateApproved, 2, 2)), templateOK},
		{"whatsapp 24h approved template", input(followup.WhatsApp, day, noText, tmpl(followup.TemplateApproved, 2, 2)), templateOK},
		{"whatsapp 24h template and text sends template", input(followup.WhatsApp, day, tmpl(followup.TemplateApproved, 1, 1)), templateOK},
		{"whatsapp 24h pending template", input(followup.WhatsApp, day, noText, tmpl(followup.TemplatePending, 2, 2)), refused(window.ReasonTemplateNotApproved, window.TemplateOnly)},
		{"whatsapp 24h rejected template", input(followup.WhatsApp, day, noText, tmpl(followup.TemplateRejected, 2, 2)), refused(window.ReasonTemplateNotApproved, window.TemplateOnly)},
		{"whatsapp 24h paused template", input(followup.WhatsApp, day, noText, tmpl(followup.TemplatePaused, 2, 2)), refused(window.ReasonTemplateNotApproved, window.TemplateOnly)},
		{"whatsapp 24h unknown template status", input(followup.WhatsApp, day, noText, tmpl("", 0, 0)), refused(window.ReasonTemplateNotApproved, window.TemplateOnly)},
		{"whatsapp too few params", input(followup.WhatsApp, day, noText, tmpl(followup.TemplateApproved, 2, 1)), refused(window.ReasonTemplateParams, window.TemplateOnly)},
		{"whatsapp too many params", input(followup.WhatsApp, day, noText, tmpl(followup.TemplateApproved, 0, 1)), refused(window.ReasonTemplateParams, window.TemplateOnly)},
		{"whatsapp inside window template", input(followup.WhatsApp, time.Hour, noText, tmpl(followup.TemplateApproved, 0, 0)), with(templateOK, func(d *window.Decision) { d.Allowance = window.FreeText })},
		{"whatsapp inside window paused template", input(followup.WhatsApp, time.Hour, tmpl(followup.TemplatePaused, 0, 0)), refused(window.ReasonTemplateNotApproved, window.FreeText)},
		{"whatsapp provider closed", input(followup.WhatsApp, time.Hour, providerClosed), refused(window.ReasonTemplateRequired, window.TemplateOnly)},
		{"whatsapp provider closed template", input(followup.WhatsApp, time.Hour, providerClosed, noText, tmpl(followup.TemplateApproved, 0, 0)), templateOK},
		{"whatsapp tag ignored", input(followup.WhatsApp, time.Hour, tag(followup.TagPostPurchaseUpdate)), freeText(last(time.Hour).Add(day), window.TemplateOnly)},
		{"whatsapp automated reminder inside", input(followup.WhatsApp, time.Hour, automated), freeText(last(time.Hour).Add(day), window.TemplateOnly)},
		{"whatsapp empty", input(followup.WhatsApp, day, noText), refused(window.ReasonNoContent, window.TemplateOnly)},
		{"whatsapp custom 12h window", input(followup.WhatsApp, 12*time.Hour, settings(func(s *followup.Settings) { s.WhatsAppWindow = 12 * time.Hour })), refused(window.ReasonTemplateRequired, window.TemplateOnly)},

		// Messenger: 24 h free text, 7 d HUMAN_AGENT, then agent-picked tags.
		{"messenger 1h", input(followup.Messenger, time.Hour), freeText(last(time.Hour).Add(day), window.HumanAgent)},
		{"messenger 24h-1ns", input(followup.Messenger, day-ns), freeText(last(day-ns).Add(day), window.HumanAgent)},
		{"messenger 1h tag ignored", input(followup.Messenger, time.Hour, tag(followup.TagAccountUpdate)), freeText(last(time.Hour).Add(day), window.HumanAgent)},
		{"messenger 1h automated", input(followup.Messenger, time.Hour, automated), freeText(last(time.Hour).Add(day), window.TagOnly)},
		{"messenger 1h automated tags off", input(followup.Messenger, time.Hour, automated, tagsOff), freeText(last(time.Hour).Add(day), window.Nothing)},
		{"messenger exactly 24h", input(followup.Messenger, day), humanAgent(day, window.TagOnly)},
		{"messenger 3d", input(followup.Messenger, 3*day), humanAgent(3*day, window.TagOnly)},
		{"messenger 3d tags off", input(followup.Messenger, 3*day, tagsOff), humanAgent(3*day, window.Nothing)},
		{"messenger 7d-1ns", input(followup.Messenger, 7*day-ns), humanAgent(7*day-ns, window.TagOnly)},
		{"messenger 3d agent tag still HUMAN_AGENT", input(followup.Messenger, 3*day, tag(followup.TagAccountUpdate)), humanAgent(3*day, window.TagOnly)},
		{"messenger 3d automated no tag", input(followup.Messenger, 3*day, automated), refused(window.ReasonHumanAgentAutomated, window.TagOnly)},
		{"messenger 3d automated with tag", input(followup.Messenger, 3*day, automated, tag(followup.TagConfirmedEventUpdate)), tagged(followup.TagConfirmedEventUpdate)},
		{"messenger 3d automated with tag, tags off", input(followup.Messenger, 3*day, automated, tagsOff, tag(followup.TagConfirmedEventUpdate)), refused(window.ReasonHumanAgentAutomated, window.Nothing)},
		{"messenger exactly 7d no tag", input(followup.Messenger, 7*day), refused(window.ReasonTagRequired, window.TagOnly)},
		{"messenger exactly 7d with tag", input(followup.Messenger, 7*day, tag(followup.TagAccountUpdate)), tagged(followup.TagAccountUpdate)},
		{"messenger 30d post purchase", input(followup.Messenger, 30*day, tag(followup.TagPostPurchaseUpdate)), tagged(followup.TagPostPurchaseUpdate)},
		{"messenger 30d automated with tag", input(followup.Messenger, 30*day, automated, tag(followup.TagPostPurchaseUpdate)), tagged(followup.TagPostPurchaseUpdate)},
		{"messenger 30d tags off", input(followup.Messenger, 30*day, tagsOff, tag(followup.TagAccountUpdate)), refused(window.ReasonTagsDisabled, window.Nothing)},
		{"messenger never wrote with tag", input(followup.Messenger, 0, never, tag(followup.TagAccountUpdate)), tagged(followup.TagAccountUpdate)},
		{"messenger never wrote tags off", input(followup.Messenger, 0, never, tagsOff), refused(window.ReasonTagsDisabled, window.Nothing)},
		{"messenger provider closed", input(followup.Messenger, time.Hour, providerClosed), refused(window.ReasonTagRequired, window.TagOnly)},
		{"messenger provider closed with tag", input(followup.Messenger, time.Hour, providerClosed, tag(followup.TagAccountUpdate)), tagged(followup.TagAccountUpdate)},
		{"messenger template only", input(followup.Messenger, time.Hour, noText, tmpl(followup.TemplateApproved, 0, 0)), refused(window.ReasonTemplateNotSupported, window.FreeText)},
		{"messenger tag without text", input(followup.Messenger, 30*day, noText, tag(followup.TagAccountUpdate)), refused(window.ReasonNoContent, window.TagOnly)},
		{"messenger no human-agent window", input(followup.Messenger, time.Hour, settings(func(s *followup.Settings) { s.HumanAgentWindow = 0 })), freeText(last(time.Hour).Add(day), window.TagOnly)},

		// Instagram: as Messenger up to 7 d, then nothing; no tags.
		{"instagram 1h", input(followup.Instagram, time.Hour), freeText(last(time.Hour).Add(day), window.HumanAgent)},
		{"instagram 24h-1ns", input(followup.Instagram, day-ns), freeText(last(day-ns).Add(day), window.HumanAgent)},
		{"instagram 1h automated", input(followup.Instagram, time.Hour, automated), freeText(last(time.Hour).Add(day), window.Nothing)},
		{"instagram exactly 24h", input(followup.Instagram, day), humanAgent(day, window.Nothing)},
		{"instagram 7d-1ns", input(followup.Instagram, 7*day-ns), humanAgent(7*day-ns, window.Nothing)},
		{"instagram 3d tag ignored", input(followup.Instagram, 3*day, tag(followup.TagAccountUpdate)), humanAgent(3*day, window.Nothing)},
		{"instagram 3d automated", input(followup.Instagram, 3*day, automated), refused(window.ReasonHumanAgentAutomated, window.Nothing)},
		{"instagram 3d automated with tag", input(followup.Instagram, 3*day, automated, tag(followup.TagAccountUpdate)), refused(window.ReasonHumanAgentAutomated, window.Nothing)},
		{"instagram exactly 7d", input(followup.Instagram, 7*day), refused(window.ReasonInstagramClosed, window.Nothing)},
		{"instagram 7d with tag", input(followup.Instagram, 7*day, tag(followup.TagAccountUpdate)), refused(window.ReasonInstagramClosed, window.Nothing)},
		{"instagram 7d template", input(followup.Instagram, 7*day, noText, tmpl(followup.TemplateApproved, 0, 0)), refused(window.ReasonInstagramClosed, window.Nothing)},
		{"instagram never wrote", input(followup.Instagram, 0, never), refused(window.ReasonNoInbound, window.Nothing)},
		{"instagram provider closed", input(followup.Instagram, time.Hour, providerClosed), refused(window.ReasonInstagramClosed, window.Nothing)},

		// Viber: 24 h free text, then billable chatbot messages.
		{"viber 1h", input(followup.Viber, time.Hour), freeText(last(time.Hour).Add(day), window.Chatbot)},
		{"viber 24h-1ns", input(followup.Viber, day-ns), freeText(last(day-ns).Add(day), window.Chatbot)},
		{"viber 1h quota used up", input(followup.Viber, time.Hour, chatbotSent(10000)), freeText(last(time.Hour).Add(day), window.Nothing)},
		{"viber exactly 24h first chatbot", input(followup.Viber, day), chatbot(9999)},
		{"viber 10,000th chatbot", input(followup.Viber, day, chatbotSent(9999)), chatbot(0)},
		{"viber 10,001st chatbot", input(followup.Viber, day, chatbotSent(10000)), with(refused(window.ReasonViberQuota, window.Nothing), func(d *window.Decision) { d.Remaining = 0 })},
		{"viber 10,001st commercial", input(followup.Viber, day, chatbotSent(10000), commercial), chatbot(-1)},
		{"viber commercial off under quota", input(followup.Viber, day, chatbotSent(5)), chatbot(9994)},
		{"viber commercial on under quota", input(followup.Viber, day, chatbotSent(5), commercial), chatbot(-1)},
		{"viber allowance 0", input(followup.Viber, day, viberAllowance(0)), with(refused(window.ReasonViberQuota, window.Nothing), func(d *window.Decision) { d.Remaining = 0 })},
		{"viber allowance 0 commercial", input(followup.Viber, day, viberAllowance(0), commercial), chatbot(-1)},
		{"viber allowance 0 inside window", input(followup.Viber, time.Hour, viberAllowance(0)), freeText(last(time.Hour).Add(day), window.Nothing)},
		{"viber never wrote", input(followup.Viber, 0, never), chatbot(9999)},
		{"viber provider closed", input(followup.Viber, time.Hour, providerClosed), chatbot(9999)},
		{"viber automated", input(followup.Viber, 3*day, automated), chatbot(9999)},
		{"viber template only", input(followup.Viber, 3*day, noText, tmpl(followup.TemplateApproved, 0, 0)), refused(window.ReasonTemplateNotSupported, window.Chatbot)},

		// WeChat: 48 h and 20 messages, then nothing.
		{"wechat first", input(followup.WeChat, time.Hour), wechat(time.Hour, 19)},
		{"wechat 48h-1ns", input(followup.WeChat, 2*day-ns), wechat(2*day-ns, 19)},
		{"wechat exactly 48h", input(followup.WeChat, 2*day), refused(window.ReasonWeChatWindowClosed, window.Nothing)},
		{"wechat 20th message", input(followup.WeChat, time.Hour, sent(19)), wechat(time.Hour, 0)},
		{"wechat 21st message", input(followup.WeChat, time.Hour, sent(20)), with(refused(window.ReasonWeChatLimit, window.Nothing), func(d *window.Decision) { d.Remaining = 0 })},
		{"wechat past count and time", input(followup.WeChat, 3*day, sent(25)), refused(window.ReasonWeChatWindowClosed, window.Nothing)},
		{"wechat reply resets", input(followup.WeChat, time.Minute, sent(0)), wechat(time.Minute, 19)},
		{"wechat limit 5: 5th", input(followup.WeChat, time.Hour, wechatLimit(5), sent(4)), wechat(time.Hour, 0)},
		{"wechat limit 5: 6th", input(followup.WeChat, time.Hour, wechatLimit(5), sent(5)), with(refused(window.ReasonWeChatLimit, window.Nothing), func(d *window.Decision) { d.Remaining = 0 })},
		{"wechat never wrote", input(followup.WeChat, 0, never), refused(window.ReasonNoInbound, window.Nothing)},
		{"wechat provider closed", input(followup.WeChat, time.Hour, providerClosed), refused(window.ReasonWeChatWindowClosed, window.Nothing)},
		{"wechat template only", input(followup.WeChat, time.Hour, noText, tmpl(followup.TemplateApproved, 0, 0)), refused(window.ReasonTemplateNotSupported, window.FreeText)},
		{"wechat custom 24h window", input(followup.WeChat, day, settings(func(s *followup.Settings) { s.WeChatWindow = day })), refused(window.ReasonWeChatWindowClosed, window.Nothing)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := window.Decide(tt.in)
			got, msg := d, d.Message
			got.Message = ""
			if got != tt.want {
				t.Errorf("Decide:\n got %+v\nwant %+v", got, tt.want)
			}
			if tt.want.Allowed != (msg == "") {
				t.Errorf("Message = %q, want one exactly when refused", msg)
			}
			if s := window.Window(tt.in); s.Allowance != got.Allowance {
				t.Errorf("Window().Allowance = %q, Decide().Allowance = %q", s.Allowance, got.Allowance)
			}
			err := d.Err()
			var r window.Reason
			if tt.want.Allowed {
				if err != nil {
					t.Errorf("Err() = %v, want nil", err)
				}
			} else if followup.ErrorCodeOf(err) != followup.ERefused || !errors.As(err, &r) || r != tt.want.Reason || followup.ErrorMessage(err) != msg {
				t.Errorf("Err() = %v, want a refusal carrying %q and the message", err, tt.want.Reason)
			}
		})
	}
}

// Refusals tell the agent what to do next.
func TestDecideMessagesSayWhatToDo(t *testing.T) {
	cases := map[window.Reason]window.Input{
		window.ReasonTemplateRequired:     input(followup.WhatsApp, day),
		window.ReasonTemplateNotApproved:  input(followup.WhatsApp, day, noText, tmpl(followup.TemplatePending, 0, 0)),
		window.ReasonTemplateParams:       input(followup.WhatsApp, day, noText, tmpl(followup.TemplateApproved, 1, 0)),
		window.ReasonTagRequired:          input(followup.Messenger, 7*day),
		window.ReasonTagsDisabled:         input(followup.Messenger, 7*day, tagsOff),
		window.ReasonHumanAgentAutomated:  input(followup.Messenger, 3*day, automated),
		window.ReasonInstagramClosed:      input(followup.Instagram, 7*day),
		window.ReasonWeChatWindowClosed:   input(followup.WeChat, 2*day),
		window.ReasonWeChatLimit:          input(followup.WeChat, time.Hour, sent(20)),
		window.ReasonViberQuota:           input(followup.Viber, day, chatbotSent(10000)),
		window.ReasonNoInbound:            input(followup.WeChat, 0, never),
		window.ReasonNoContent:            input(followup.SMS, 0, noText),
		window.ReasonTagInvalid:           input(followup.Messenger, 0, tag("PROMO")),
		window.ReasonTemplateNotSupported: input(followup.SMS, 0, noText, tmpl(followup.TemplateApproved, 0, 0)),
		window.ReasonUnknownChannel:       input("pigeon", 0),
	}
	hints := []string{"pick", "use another channel", "wait", "type", "have an agent", "fill in"}
	for reason, in := range cases {
		d := window.Decide(in)
		if d.Reason != reason {
			t.Errorf("%s: got reason %q", reason, d.Reason)
			continue
		}
		ok := false
		for _, h := range hints {
			ok = ok || strings.Contains(d.Message, h)
		}
		if !ok || !strings.HasSuffix(d.Message, ".") {
			t.Errorf("%s: message %q does not say what to do next", reason, d.Message)
		}
	}
}

func TestWindow(t *testing.T) {
	last := func(since time.Duration) time.Time { return t0.Add(-since) }
	tests := []struct {
		name string
		in   window.Input
		want window.State
	}{
		{"telegram", input(followup.Telegram, 30*day),
			window.State{Channel: followup.Telegram, Allowance: window.FreeText, Remaining: -1}},
		{"whatsapp open", input(followup.WhatsApp, time.Hour),
			window.State{Channel: followup.WhatsApp, Allowance: window.FreeText, OpenUntil: last(time.Hour).Add(day), Next: window.TemplateOnly, Remaining: -1}},
		{"whatsapp closed", input(followup.WhatsApp, day),
			window.State{Channel: followup.WhatsApp, Allowance: window.TemplateOnly, Remaining: -1}},
		{"messenger human agent", input(followup.Messenger, 2*day),
			window.State{Channel: followup.Messenger, Allowance: window.HumanAgent, OpenUntil: last(2 * day).Add(7 * day), Next: window.TagOnly, Remaining: -1}},
		{"messenger automated 2d", input(followup.Messenger, 2*day, automated),
			window.State{Channel: followup.Messenger, Allowance: window.TagOnly, Remaining: -1}},
		{"wechat 19 sent", input(followup.WeChat, time.Hour, sent(19)),
			window.State{Channel: followup.WeChat, Allowance: window.FreeText, OpenUntil: last(time.Hour).Add(2 * day), Next: window.Nothing, Remaining: 1}},
		{"viber chatbot", input(followup.Viber, day, chatbotSent(9999)),
			window.State{Channel: followup.Viber, Allowance: window.Chatbot, Remaining: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := window.Window(tt.in); got != tt.want {
				t.Errorf("Window:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	// Content does not matter to Window.
	a := window.Window(input(followup.WhatsApp, day, noText))
	b := window.Window(input(followup.WhatsApp, day, tmpl(followup.TemplatePaused, 1, 0), tag(followup.TagAccountUpdate)))
	if a != b {
		t.Errorf("Window depends on content: %+v vs %+v", a, b)
	}
}

func TestStateSummary(t *testing.T) {
	tests := []struct {
		in   window.Input
		want string
	}{
		{input(followup.WhatsApp, day), "WhatsApp: template only"},
		{input(followup.WhatsApp, 22*time.Hour), "WhatsApp: free text until Mar 1 14:00 UTC, then template only"},
		{input(followup.Telegram, day), "Telegram: free text"},
		{input(followup.Instagram, 8*day), "Instagram: nothing until the customer writes"},
		{input(followup.WeChat, time.Hour, sent(15)), "WeChat: free text until Mar 3 11:00 UTC, then nothing until the customer writes (5 left)"},
		{input(followup.Viber, day, chatbotSent(9990)), "Viber: chatbot message (billable) (10 left)"},
	}
	for _, tt := range tests {
		if got := window.Window(tt.in).Summary(); got != tt.want {
			t.Errorf("Summary() = %q, want %q", got, tt.want)
		}
	}
}

func TestDecideDoesNotAllocate(t *testing.T) {
	ins := benchInputs()
	allocs := testing.AllocsPerRun(100, func() {
		for i := range ins {
			sink = window.Decide(ins[i])
		}
	})
	if allocs != 0 {
		t.Errorf("Decide allocates %v times per run", allocs)
	}
}

// A workflow asks before sending; a refusal carries what the agent can do.
func ExampleDecide() {
	settings := followup.DefaultSettings()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	wrote := now.Add(-30 * time.Hour)

	d := window.Decide(window.Input{Channel: followup.WhatsApp, Now: now, LastInbound: wrote, Settings: settings, Text: true})
	fmt.Println(d.Allowed, d.Reason)
	fmt.Println(d.Message)

	d = window.Decide(window.Input{Channel: followup.Messenger, Now: now, LastInbound: wrote, Settings: settings, Text: true})
	fmt.Println(d.Allowed, d.Mode, d.Tag, d.ClosesAt.Format(time.RFC3339), d.Next)
	// Output:
	// false window_closed_template_required
	// WhatsApp's window since the customer's last message has closed, so only an approved template can be sent; pick an approved template, or use another channel the contact has.
	// true human_agent HUMAN_AGENT 2026-03-07T06:00:00Z tag_only
}

package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
)

func TestValidateForm(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	ids := []followup.Identity{
		{Channel: followup.WhatsApp, LastInboundAt: ago(30 * time.Hour)},
		{Channel: followup.Messenger, LastInboundAt: ago(9 * 24 * time.Hour)},
		{Channel: followup.Email},
		{Channel: followup.WeChat, LastInboundAt: ago(50 * time.Hour)},
	}
	tpl := []followup.Template{{Channel: followup.WhatsApp, Name: "order_update", Language: "en", Status: followup.TemplateApproved, ParamCount: 2}}
	set := followup.DefaultSettings()
	params := func(p ...string) []string { return append(p, make([]string, maxParamFields-len(p))...) }
	for _, c := range []struct {
		name    string
		form    followUpForm
		errKey  string // "" = valid
		errWant string
	}{
		{"email free text", followUpForm{Channel: followup.Email, Text: "hi", Params: params()}, "", ""},
		{"not the contact's channel", followUpForm{Channel: followup.Telegram, Text: "hi", Params: params()}, blockChannel, "Pick one"},
		{"nothing written", followUpForm{Channel: followup.Email, Params: params()}, blockText, "Write a message"},
		{"whatsapp text after the window", followUpForm{Channel: followup.WhatsApp, Text: "hi", Params: params()}, blockTemplate, "template"},
		{"whatsapp template", followUpForm{Channel: followup.WhatsApp, Template: "order_update|en", Params: params("a", "b")}, "", ""},
		{"template missing a parameter", followUpForm{Channel: followup.WhatsApp, Template: "order_update|en", Params: params("a")}, blockParam + "2", "fill {{2}}"},
		{"template with one too many", followUpForm{Channel: followup.WhatsApp, Template: "order_update|en", Params: params("a", "b", "c")}, blockParam + "3", "clear this one"},
		{"unknown template", followUpForm{Channel: followup.WhatsApp, Template: "gone|en", Params: params()}, blockTemplate, "not approved"},
		{"template on email", followUpForm{Channel: followup.Email, Template: "order_update|en", Params: params()}, blockTemplate, "WhatsApp's"},
		{"messenger after 7 days without tag", followUpForm{Channel: followup.Messenger, Text: "hi", Params: params()}, blockTag, "tag"},
		{"messenger with a tag", followUpForm{Channel: followup.Messenger, Text: "shipped", Tag: followup.TagPostPurchaseUpdate, Params: params()}, "", ""},
		{"tag on email", followUpForm{Channel: followup.Email, Text: "hi", Tag: followup.TagAccountUpdate, Params: params()}, blockTag, "Messenger's"},
		{"wechat after 48h", followUpForm{Channel: followup.WeChat, Text: "hi", Params: params()}, blockChannel, ""},
		{"bad when", followUpForm{Channel: followup.Email, Text: "hi", When: "tomorrowish", Params: params()}, blockWhen, "30m"},
		{"when in the past", followUpForm{Channel: followup.Email, Text: "hi", When: "2020-01-01T00:00:00Z", Params: params()}, blockWhen, "past"},
		{"later on email", followUpForm{Channel: followup.Email, Text: "hi", When: "4h", Params: params()}, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, errs := validateForm(c.form, ids, set, tpl, now)
			if c.errKey == "" {
				if len(errs) != 0 {
					t.Fatalf("errors %v", errs)
				}
				if c.form.When == "4h" && !req.At.Equal(now.Add(4*time.Hour)) {
					t.Fatalf("at %v", req.At)
				}
				if c.form.Template != "" && (req.Template == nil || len(req.Template.Params) != 2) {
					t.Fatalf("template request %+v", req.Template)
				}
				return
			}
			if msg, ok := errs[c.errKey]; !ok || !strings.Contains(msg, c.errWant) {
				t.Fatalf("errors %v, want %s containing %q", errs, c.errKey, c.errWant)
			}
		})
	}
}

package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/window"
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
		{"template and text", followUpForm{Channel: followup.WhatsApp, Text: "hi", Template: "order_update|en", Params: params("a", "b")}, blockText, "either"},
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

// TestFollowUpModalWithinSlackLimits: Slack rejects a view with option
// texts over 75 characters or a text input max_length over 3000.
func TestFollowUpModalWithinSlackLimits(t *testing.T) {
	long := strings.Repeat("Ünïcode body of a realistic approved template, ", 5)
	ids := []followup.Identity{{Channel: followup.WhatsApp}, {Channel: followup.Messenger}}
	ws := []window.State{{Channel: followup.WhatsApp, Allowance: window.TemplateOnly}, {Channel: followup.Messenger, Allowance: window.TagOnly}}
	tpl := []followup.Template{
		{Name: strings.Repeat("very_long_template_name_", 4), Language: "en_US", ParamCount: 3, Body: long},
		{Name: "too_many", Language: "en", ParamCount: 7, Body: "x"},
	}
	v := followUpModal(followup.Contact{ID: 7, FirstName: "Jane"}, ids, ws, tpl, followup.WhatsApp)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	options := 0
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			if x["type"] == "plain_text_input" {
				if ml, _ := x["max_length"].(float64); ml > 3000 {
					t.Errorf("max_length %v", ml)
				}
			}
			for k, v := range x {
				if (k == "text" || k == "description") && x["value"] != nil {
					if txt, _ := v.(map[string]any)["text"].(string); utf8.RuneCountInString(txt) > 75 {
						t.Errorf("option %s has %d characters: %q", k, utf8.RuneCountInString(txt), txt)
					}
					options++
				}
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	var m any
	_ = json.Unmarshal(b, &m)
	walk(m)
	if options == 0 {
		t.Fatal("no options checked")
	}
	if strings.Contains(string(b), "too_many") {
		t.Error("a template with more parameters than fields is offered")
	}
	if !strings.Contains(string(b), "Template parameter {{3}}") || strings.Contains(string(b), "{{4}}") {
		t.Error("parameter fields do not match the offered templates")
	}
}

func TestUnescapeText(t *testing.T) {
	for in, want := range map[string]string{
		"send 42 Q&amp;A &lt;3":                         "send 42 Q&A <3",
		"send <mailto:jane@x.com|jane@x.com> hi":        "send jane@x.com hi",
		"status <tel:+14155550142|+1 415 555 0142>":     "status +1 415 555 0142",
		"send 42 see <https://x.example/a?b=1&amp;c=2>": "send 42 see https://x.example/a?b=1&c=2",
		"send 42 a &amp;lt; b":                          "send 42 a &lt; b",
		"find <unclosed":                                "find <unclosed",
		EscapeText(`send "Jane Doe" 1 < 2 & 3 > 2`):     `send "Jane Doe" 1 < 2 & 3 > 2`,
	} {
		if got := UnescapeText(in); got != want {
			t.Errorf("UnescapeText(%q) = %q, want %q", in, got, want)
		}
	}
}

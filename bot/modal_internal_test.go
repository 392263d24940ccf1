package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/cadences"
	"github.com/followup-dev/followup/window"
)

func TestValidateForm(t *testing.T) {
	t.Parallel()
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
	const day = 24 * time.Hour
	order := func(p ...string) *cadences.Template { return &cadences.Template{Name: "order_update", Params: p} }
	cs := []cadences.Cadence{
		{Name: "renewal", Steps: []cadences.Step{
			{After: 2 * day, Text: "Your plan renews soon", Else: &cadences.Else{Template: order("a", "b")}},
			{After: 5 * day, Template: order("a", "b")},
		}},
		{Name: "nudge", Steps: []cadences.Step{{After: time.Hour, Text: "Still there?"}}},
		{Name: "unapproved", Steps: []cadences.Step{{After: day, Template: &cadences.Template{Name: "gone"}}}},
		{Name: "short", Steps: []cadences.Step{{After: day, Text: "x", Else: &cadences.Else{Template: order("a")}}}},
	}
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
		{"picked on email", followUpForm{Channel: followup.Email, Text: "hi", WhenAt: now.Add(4 * time.Hour).Unix(), Params: params()}, "", ""},
		{"picked in the past", followUpForm{Channel: followup.Email, Text: "hi", WhenAt: now.Add(-time.Minute).Unix(), Params: params()}, blockWhenAt, "has passed"},
		{"picked too far", followUpForm{Channel: followup.Email, Text: "hi", WhenAt: now.Add(91 * day).Unix(), Params: params()}, blockWhenAt, "at most 90 days"},
		{"picked and written", followUpForm{Channel: followup.Email, Text: "hi", When: "4h", WhenAt: now.Add(4 * time.Hour).Unix(), Params: params()}, blockWhen, "not both"},
		{"cadence and a picked time", followUpForm{Channel: followup.WhatsApp, Cadence: "renewal", WhenAt: now.Add(time.Hour).Unix(), Params: params()}, blockCadence, "clear the message"},
		{"cadence on whatsapp", followUpForm{Channel: followup.WhatsApp, Cadence: "renewal", Params: params()}, "", ""},
		{"text cadence on email", followUpForm{Channel: followup.Email, Cadence: "nudge", Params: params()}, "", ""},
		{"template cadence on email", followUpForm{Channel: followup.Email, Cadence: "renewal", Params: params()}, blockChannel, "start it on WhatsApp"},
		{"cadence and a message", followUpForm{Channel: followup.WhatsApp, Cadence: "renewal", Text: "hi", Params: params()}, blockCadence, "clear the message"},
		{"cadence and when", followUpForm{Channel: followup.WhatsApp, Cadence: "renewal", When: "4h", Params: params()}, blockCadence, "clear the message, template, tag and when"},
		{"cadence no longer defined", followUpForm{Channel: followup.WhatsApp, Cadence: "removed", Params: params()}, blockCadence, "not defined any more"},
		{"cadence with an unapproved template", followUpForm{Channel: followup.WhatsApp, Cadence: "unapproved", Params: params()}, blockCadence, "no approved WhatsApp template called gone"},
		{"cadence fallback with too few parameters", followUpForm{Channel: followup.WhatsApp, Cadence: "short", Params: params()}, blockCadence, "takes 2 parameter(s), and 1 were given"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, errs := validateForm(en, c.form, ids, set, tpl, cs, now)
			if c.errKey == "" {
				if len(errs) != 0 {
					t.Fatalf("errors %v", errs)
				}
				if (c.form.When == "4h" || c.form.WhenAt != 0) && !req.At.Equal(now.Add(4*time.Hour)) {
					t.Fatalf("at %v", req.At)
				}
				if c.form.Template != "" && (req.Template == nil || len(req.Template.Params) != 2) {
					t.Fatalf("template request %+v", req.Template)
				}
				if c.form.Cadence != "" && (req.Cadence == nil || req.Cadence.Name != c.form.Cadence || req.Text != "" || !req.At.IsZero()) {
					t.Fatalf("cadence request %+v", req)
				}
				if c.form.Cadence == "renewal" && (len(req.Cadence.Touches) != 2 || req.Cadence.Touches[1].After != 5*day ||
					req.Cadence.Touches[0].Else == nil || req.Cadence.Touches[0].Else.Template.Name != "order_update") {
					t.Fatalf("renewal's touches %+v", req.Cadence.Touches)
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
	t.Parallel()
	long := strings.Repeat("Ünïcode body of a realistic approved template, ", 5)
	ids := []followup.Identity{{Channel: followup.WhatsApp}, {Channel: followup.Messenger}}
	ws := []window.State{{Channel: followup.WhatsApp, Allowance: window.TemplateOnly}, {Channel: followup.Messenger, Allowance: window.TagOnly}}
	tpl := []followup.Template{
		{Name: strings.Repeat("very_long_template_name_", 4), Language: "en_US", ParamCount: 3, Body: long},
		{Name: "too_many", Language: "en", ParamCount: 7, Body: "x"},
	}
	cs := []cadences.Cadence{{Name: strings.Repeat("n", cadences.MaxNameLen), Steps: []cadences.Step{
		{After: 36 * time.Hour, Text: strings.Repeat("Ünïcode text of a first touch ", 10), Else: &cadences.Else{Template: &cadences.Template{Name: "renewal", Params: []string{"Jane Doe"}}}}}}}
	v := followUpModal(en, followup.Contact{ID: 7, FirstName: "Jane"}, ids, ws, tpl, cs, followup.WhatsApp)
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
	if !strings.Contains(string(b), `"block_id":"cadence"`) || !strings.Contains(string(b), `1d12h text \"Ünïcode`) {
		t.Error("the cadence is not offered with its first step")
	}
}

// TestFollowUpModalCadenceChoice: the Cadence choice lists the defined
// cadences, and is not there when none is.
func TestFollowUpModalCadenceChoice(t *testing.T) {
	t.Parallel()
	ids := []followup.Identity{{Channel: followup.Email}}
	ws := []window.State{{Channel: followup.Email, Allowance: window.FreeText}}
	blockIDs := func(v slack.ModalViewRequest) []string {
		var out []string
		for _, b := range v.Blocks.BlockSet {
			if in, ok := b.(*slack.InputBlock); ok {
				out = append(out, in.BlockID)
			}
		}
		return out
	}
	none := followUpModal(en, followup.Contact{ID: 7}, ids, ws, nil, nil, followup.Email)
	if got := blockIDs(none); strings.Contains(strings.Join(got, " "), blockCadence) {
		t.Errorf("with no cadence defined the modal has %v", got)
	}
	cs := []cadences.Cadence{
		{Name: "nudge", Steps: []cadences.Step{{After: time.Hour, Text: "Still there?"}}},
		{Name: "renewal", Steps: []cadences.Step{{After: 48 * time.Hour, Text: "a"}, {After: 96 * time.Hour, Text: "b"}}},
	}
	some := followUpModal(en, followup.Contact{ID: 7}, ids, ws, nil, cs, followup.Email)
	got := blockIDs(some)
	if got[len(got)-1] != blockCadence {
		t.Fatalf("blocks %v: want the cadence choice last", got)
	}
	sel := some.Blocks.BlockSet[len(some.Blocks.BlockSet)-1].(*slack.InputBlock).Element.(*slack.SelectBlockElement)
	if len(sel.Options) != 2 || sel.Options[0].Value != "nudge" || sel.Options[1].Text.Text != "renewal (2 touch(es))" ||
		sel.Options[1].Description.Text != `2d text "a"` {
		t.Fatalf("options %+v", sel.Options)
	}
}

func TestUnescapeText(t *testing.T) {
	t.Parallel()
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

// TestModalWhenInTheAgentsZone: a written day and time is read in the zone
// now is in (the agent's, from users.info), and the modal offers a
// datetimepicker beside the written when.
func TestModalWhenInTheAgentsZone(t *testing.T) {
	t.Parallel()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	ids := []followup.Identity{{Channel: followup.Email}}
	form := followUpForm{Channel: followup.Email, Text: "hi", When: "tomorrow 9:00", Params: make([]string, maxParamFields)}
	req, errs := validateForm(en, form, ids, followup.DefaultSettings(), nil, nil, now.In(tokyo))
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	// now is March 1, 21:00 in Tokyo: tomorrow 9:00 there is 00:00 UTC on March 2.
	if want := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC); !req.At.Equal(want) {
		t.Errorf("at %v, want %v", req.At.UTC(), want)
	}

	m := followUpModal(en, followup.Contact{ID: 1, FirstName: "Jane"}, ids, []window.State{{Channel: followup.Email}}, nil, nil, followup.Email)
	var picker, written bool
	for _, b := range m.Blocks.BlockSet {
		in, ok := b.(*slack.InputBlock)
		if !ok {
			continue
		}
		switch in.BlockID {
		case blockWhenAt:
			_, picker = in.Element.(*slack.DateTimePickerBlockElement)
		case blockWhen:
			_, written = in.Element.(*slack.PlainTextInputBlockElement)
		}
	}
	if !picker || !written {
		t.Errorf("datetimepicker %v, written when %v", picker, written)
	}
}

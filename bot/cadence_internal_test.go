package bot

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/cadences"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/workflows"
)

// TestCadenceStatus: status and App Home say the touch reached, what
// became of it, and when the next is due, or how the cadence ended.
// TestScheduledLine: a scheduled send says what goes out instead if the
// window has closed by then: its own fallback, or on WhatsApp the
// workspace's re-engagement template.
func TestScheduledLine(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 3, 15, 4, 0, 0, time.UTC)
	wa := workflows.State{Channel: followup.WhatsApp}
	waDefault := workflows.State{Channel: followup.WhatsApp, Settings: followup.Settings{ReengagementTemplate: "welcome_back:en"}}
	inCadence := workflows.State{Channel: followup.Messenger, Cadence: &workflows.CadenceProgress{Name: "renewal", Touches: 3}}
	for _, c := range []struct {
		state workflows.State
		sc    workflows.Scheduled
		want  string
	}{
		{wa, workflows.Scheduled{ID: 1, At: at, Request: workflows.SendRequest{Text: "Checking <in>"}}, "🕒 #1 at <!date^1796310240^{date_short_pretty} {time}|Dec 3 15:04 UTC>: “Checking &lt;in&gt;”"},
		{wa, workflows.Scheduled{ID: 2, At: at, Request: workflows.SendRequest{Text: "Checking in", Else: &workflows.Fallback{Template: &workflows.TemplateRequest{Name: "renewal"}}}},
			"🕒 #2 at <!date^1796310240^{date_short_pretty} {time}|Dec 3 15:04 UTC>: “Checking in”, then the template renewal if the window has closed"},
		{waDefault, workflows.Scheduled{ID: 3, At: at, Request: workflows.SendRequest{Text: "Checking in"}},
			"🕒 #3 at <!date^1796310240^{date_short_pretty} {time}|Dec 3 15:04 UTC>: “Checking in”, then the workspace's re-engagement template welcome_back if the window has closed"},
		{waDefault, workflows.Scheduled{ID: 4, At: at, Request: workflows.SendRequest{Template: &workflows.TemplateRequest{Name: "order_update", Params: []string{"a", "b"}}}},
			"🕒 #4 at <!date^1796310240^{date_short_pretty} {time}|Dec 3 15:04 UTC>: the template order_update"},
		{inCadence, workflows.Scheduled{ID: 5, At: at, Touch: 2, Request: workflows.SendRequest{Text: "Shipped", Else: &workflows.Fallback{Tag: followup.TagPostPurchaseUpdate}}},
			"🕒 #5 at <!date^1796310240^{date_short_pretty} {time}|Dec 3 15:04 UTC>: touch 2 of 3 of the cadence renewal: “Shipped”, then with the POST_PURCHASE_UPDATE tag if the window has closed"},
		{inCadence, workflows.Scheduled{ID: 6, At: at, Touch: 3, Request: workflows.SendRequest{Text: "Card expiring", Tag: followup.TagAccountUpdate}},
			"🕒 #6 at <!date^1796310240^{date_short_pretty} {time}|Dec 3 15:04 UTC>: touch 3 of 3 of the cadence renewal: “Card expiring” with the ACCOUNT_UPDATE tag"},
	} {
		if got := scheduledLine(en, c.state, c.sc); got != c.want {
			t.Errorf("#%d:\n got %q\nwant %q", c.sc.ID, got, c.want)
		}
	}
}

// TestStatusBlocksShowCadenceAndFallback: the status of a follow-up
// carries its cadence, its scheduled touches with their fallbacks, and the
// attempts that used a fallback.
func TestStatusBlocksShowCadenceAndFallback(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 3, 15, 4, 0, 0, time.UTC)
	s := workflows.State{Channel: followup.WhatsApp, Status: workflows.StatusWaiting, AgentSlack: "U0ANN",
		Window:  workflows.WindowView{Remaining: -1},
		Cadence: &workflows.CadenceProgress{Name: "renewal", Touches: 3, Reached: 1},
		Scheduled: []workflows.Scheduled{{ID: 2, At: at, Touch: 2, Request: workflows.SendRequest{Text: "Still there?",
			Else: &workflows.Fallback{Template: &workflows.TemplateRequest{Name: "renewal"}}}}},
		Attempts: []workflows.Attempt{{At: at.Add(-48 * time.Hour), Outcome: workflows.OutcomeSent, Mode: followup.ModeTemplate, Fallback: true, Touch: 1}},
	}
	blocks := statusBlocks(en, actionsTarget(), []workflows.State{s}, nil)
	got := blocks[len(blocks)-1].(*slack.SectionBlock).Text.Text
	for _, want := range []string{
		"🔁 Cadence renewal: touch 1 of 3 sent (the fallback); next <!date^", "|Dec 3 15:04 UTC>",
		"🕒 #2 at <!date^1796310240^{date_short_pretty} {time}|Dec 3 15:04 UTC>: touch 2 of 3 of the cadence renewal: “Still there?”, then the template renewal if the window has closed",
		"• <!date^1796137440^{date_short_pretty} {time}|Dec 1 15:04 UTC> touch 1 sent as ", "the fallback (the text was no longer allowed)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("status lacks %q:\n%s", want, got)
		}
	}
}

// TestCadenceProblem: a cadence is checked against the channel before it
// starts: its templates are WhatsApp's, approved, with their parameters.
func TestCadenceProblem(t *testing.T) {
	t.Parallel()
	ts := []followup.Template{
		{Name: "renewal", Status: followup.TemplateApproved, ParamCount: 1, Language: "en"},
		{Name: "renewal", Status: followup.TemplateApproved, ParamCount: 2, Language: "es"},
		{Name: "pending_one", Status: followup.TemplatePending},
	}
	tpl := func(name string, params ...string) *cadences.Template {
		return &cadences.Template{Name: name, Params: params}
	}
	text := cadences.Step{After: time.Hour, Text: "hi"}
	for _, c := range []struct {
		name string
		c    cadences.Cadence
		ch   followup.Channel
		want string // "" fits
	}{
		{"text anywhere", cadences.Cadence{Name: "n", Steps: []cadences.Step{text}}, followup.Email, ""},
		{"template on email", cadences.Cadence{Name: "n", Steps: []cadences.Step{text, {After: 2 * time.Hour, Template: tpl("renewal", "a")}}}, followup.Email,
			"The cadence n sends the WhatsApp template renewal at step 2, and Email has no templates: start it on WhatsApp"},
		{"fallback template on messenger", cadences.Cadence{Name: "n", Steps: []cadences.Step{{After: time.Hour, Text: "x", Else: &cadences.Else{Template: tpl("nope")}}}}, followup.Messenger, ""},
		{"either language fits", cadences.Cadence{Name: "n", Steps: []cadences.Step{{After: time.Hour, Template: tpl("renewal", "a", "b")}}}, followup.WhatsApp, ""},
		{"parameters", cadences.Cadence{Name: "n", Steps: []cadences.Step{{After: time.Hour, Template: tpl("renewal")}}}, followup.WhatsApp,
			"Step 1 of the cadence n cannot be sent on WhatsApp: the WhatsApp template renewal takes 1 or 2 parameter(s), and 0 were given (write them as 1=… 2=…)"},
		{"pending fallback", cadences.Cadence{Name: "n", Steps: []cadences.Step{text, {After: 2 * time.Hour, Text: "x", Else: &cadences.Else{Template: tpl("pending_one")}}}}, followup.WhatsApp,
			"Step 2 of the cadence n cannot be sent on WhatsApp: the WhatsApp template pending_one is pending, not approved"},
		{"unknown", cadences.Cadence{Name: "n", Steps: []cadences.Step{{After: time.Hour, Template: tpl("gone")}}}, followup.WhatsApp,
			"Step 1 of the cadence n cannot be sent on WhatsApp: there is no approved WhatsApp template called gone"},
	} {
		if got := cadenceProblem(en, c.c, c.ch, ts); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

// TestCadenceListWithinSlackLimits: many long cadences still make a
// message Slack takes: sections of at most 3000 characters, at most 50
// blocks, and each cadence on its own line with its steps' canonical form.
func TestCadenceListWithinSlackLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Ünïcode & <text> ", 240) // about 4000 bytes
	var lines []string
	for i := range 120 {
		c := cadences.Cadence{Name: "c" + strings.Repeat("x", i%30), Steps: []cadences.Step{
			{After: 48 * time.Hour, Text: "Your plan renews soon", Else: &cadences.Else{Template: &cadences.Template{Name: "renewal", Params: []string{"Jane Doe"}}}},
			{After: 120 * time.Hour, Text: long},
		}}
		lines = append(lines, cadenceLine(c))
	}
	if want := `• *c*: 2d text "Your plan renews soon" else template renewal 1="Jane Doe" · 5d text "Ünïcode &amp; &lt;text&gt; `; !strings.HasPrefix(lines[0], want) {
		t.Fatalf("line %q…, want it to start %q", lines[0][:120], want)
	}
	blocks := sections(en, lines)
	if len(blocks) > maxBlocks-1 {
		t.Fatalf("%d blocks", len(blocks))
	}
	for _, b := range blocks {
		var txt string
		switch b := b.(type) {
		case *slack.SectionBlock:
			txt = b.Text.Text
		case *slack.ContextBlock:
			txt = b.ContextElements.Elements[0].(*slack.TextBlockObject).Text
			if !strings.HasPrefix(txt, "…and ") {
				t.Errorf("context %q", txt)
			}
		}
		if n := utf8.RuneCountInString(txt); n > maxSectionText {
			t.Errorf("a block of %d characters", n)
		}
	}
	if short := sections(en, []string{"a", "b"}); len(short) != 1 || short[0].(*slack.SectionBlock).Text.Text != "a\nb" {
		t.Errorf("two short lines: %+v", short)
	}
}

// en prints English, what these tests read.
var en i18n.Printer

func actionsTarget() actions.Target {
	return actions.Target{Contact: followup.Contact{ID: 7, FirstName: "Jane", LastName: "Doe"}}
}

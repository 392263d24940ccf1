package bot_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/bot"
)

// TestSlashCommandSendsAtTheProvider: a signed `/followup send` reaches the
// fake WhatsApp as free text, the agent sees the outcome, gets the "sent"
// DM, and the conversation is assigned to them.
func TestSlashCommandSendsAtTheProvider(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	code, answer := e.command(annID, `send jane.doe@example.com "Your refund has landed"`)
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	// The answer is inline (fast) or through response_url (slow).
	got := text(answer)
	if !strings.Contains(got, "Sent to Jane Doe on WhatsApp") {
		eventually(t, "the answer through response_url", func() bool {
			for _, a := range e.slack.Answers() {
				if strings.Contains(text(a), "Sent to Jane Doe on WhatsApp") {
					return true
				}
			}
			return false
		})
	}
	acc := e.wa.Accepted()
	if len(acc) != 1 || acc[0].To != janeTel || acc[0].Type != "text" {
		t.Fatalf("WhatsApp accepted %+v, want one text to %s", acc, janeTel)
	}
	eventually(t, "the sent DM", func() bool {
		for _, c := range e.slack.Calls("chat.postMessage") {
			if c.Form.Get("channel") == annID && strings.Contains(c.Form.Get("text"), "✅") {
				return true
			}
		}
		return false
	})
	c, err := e.st.Contact(e.ctx, e.jane)
	if err != nil {
		t.Fatal(err)
	}
	if c.AssigneeID == nil || *c.AssigneeID != e.ann.ID || c.Status != "open" {
		t.Fatalf("after the send the conversation is %s assigned to %v, want open and Ann", c.Status, c.AssigneeID)
	}
	// A VIP notification worth a supervisor's eye ("sent" is not) stays out
	// of the supervisors' channel.
	for _, c := range e.slack.Calls("chat.postMessage") {
		if c.Form.Get("channel") == "C0SUPERVISORS" {
			t.Fatalf("a routine send went to the supervisors: %v", c.Form)
		}
	}
}

// TestRefusalExplainsWhatMayBeSent: free text to a customer outside
// WhatsApp's window is refused with the reason, and nothing is sent.
func TestRefusalExplainsWhatMayBeSent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, answer := e.command(annID, `send carlos@example.com Hello again`)
	e.bot.Wait()
	got := text(answer) + text(e.slack.Answers())
	if !strings.Contains(got, "refused") || !strings.Contains(got, "Approved templates that may be sent now") ||
		!strings.Contains(got, "/followup template #"+strconv.FormatInt(e.carlos, 10)+" order_update 1=… 2=…") {
		t.Fatalf("answer %s: want a refusal with the templates that fit", got)
	}
	if n := len(e.wa.Requests()); n != 0 {
		t.Fatalf("the provider got %d requests after a refusal", n)
	}
	c, _ := e.st.Contact(e.ctx, e.carlos)
	if c.Status == "open" {
		t.Fatal("a refused send reopened the conversation")
	}
}

// TestForgedRequestsChangeNothing: bad, stale, missing and replayed
// signatures get 401, and nothing reaches the provider or Slack.
func TestForgedRequestsChangeNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	form := e.commandForm(annID, `send jane.doe@example.com forged`)
	target := e.http.URL + "/slack/commands"
	cases := map[string]*http.Request{
		"wrong secret": signed(target, "not-the-secret", "application/x-www-form-urlencoded", form, time.Now()),
		"stale":        signed(target, secret, "application/x-www-form-urlencoded", form, time.Now().Add(-6*time.Minute)),
		"future":       signed(target, secret, "application/x-www-form-urlencoded", form, time.Now().Add(6*time.Minute)),
	}
	body := signed(target, secret, "application/x-www-form-urlencoded", form, time.Now())
	tampered, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(strings.Replace(form, "forged", "tampered", 1)))
	tampered.Header = body.Header.Clone()
	cases["tampered body"] = tampered
	missing, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form))
	missing.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	cases["no headers"] = missing
	for _, path := range []string{"/slack/interactivity", "/slack/events"} {
		cases["wrong secret "+path] = signed(e.http.URL+path, "nope", "application/json", `{"type":"url_verification","challenge":"x"}`, time.Now())
	}
	for name, r := range cases {
		if code, _ := e.post(r); code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, code)
		}
	}
	// A genuine request is accepted once; the same bytes again are a replay.
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	genuine := e.commandForm(annID, `find jane`)
	first := signedAt(target, genuine, ts)
	if code, _ := e.post(first); code != http.StatusOK {
		t.Fatalf("genuine request: %d", code)
	}
	if code, _ := e.post(signedAt(target, genuine, ts)); code != http.StatusUnauthorized {
		t.Errorf("replayed request: status %d, want 401", code)
	}
	// Too large a body is refused before it is read in full.
	big := signed(target, secret, "application/x-www-form-urlencoded", strings.Repeat("a", 70<<10), time.Now())
	if code, _ := e.post(big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("70 KiB command: status %d, want 413", code)
	}
	e.bot.Wait()
	if n := len(e.wa.Requests()); n != 0 {
		t.Fatalf("forged requests reached the provider %d times", n)
	}
	if n := len(e.slack.Calls("chat.postMessage")); n != 0 {
		t.Fatalf("forged requests made %d Slack posts", n)
	}
}

func signedAt(target, body, ts string) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set(bot.HeaderTimestamp, ts)
	r.Header.Set(bot.HeaderSignature, bot.Sign(secret, ts, []byte(body)))
	return r
}

// TestStrangersAreRefused: an unregistered user, another workspace, and an
// agent asking for the supervisors' vip list are refused and nothing runs.
func TestStrangersAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, a := e.command("U0STRANGER", `send jane.doe@example.com hi`)
	if !strings.Contains(text(a), "not registered") || !strings.Contains(text(a), "followup agents add --slack-user U0STRANGER") {
		t.Errorf("stranger: %s", text(a))
	}
	other := strings.Replace(e.commandForm(annID, `send jane.doe@example.com hi`), "team_id="+teamID, "team_id=T0OTHER", 1)
	_, a = e.post(signed(e.http.URL+"/slack/commands", secret, "application/x-www-form-urlencoded", other, time.Now()))
	if !strings.Contains(text(a), "another Slack workspace") {
		t.Errorf("other workspace: %s", text(a))
	}
	_, a = e.command(annID, `vip`)
	if !strings.Contains(text(a), "for supervisors") {
		t.Errorf("agent asking vip: %s", text(a))
	}
	e.bot.Wait()
	if n := len(e.wa.Requests()); n != 0 {
		t.Fatalf("refused requests reached the provider %d times", n)
	}
}

// TestBadArgumentsGetUsage: parse errors and unknown verbs answer with help.
func TestBadArgumentsGetUsage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for text_, want := range map[string]string{
		"":                           "/followup find <query>",
		"frobnicate jane":            "/followup find <query>",
		"later jane.doe@example.com": "later <contact> <when> <text>",
		"send jane.doe@example.com --via pigeon hi": "pigeon",
		"find": "find <query>",
	} {
		_, a := e.command(annID, text_)
		if !strings.Contains(text(a), want) {
			t.Errorf("%q: answer %s, want %q", text_, text(a), want)
		}
	}
}

// TestFindShowsWhatMayBeSentNow: results carry each contact's channels
// with what may be sent now, and the Follow up and Status buttons.
func TestFindShowsWhatMayBeSentNow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, a := e.command(annID, `find carlos --any`)
	got := text(a)
	for _, want := range []string{"Carlos Ruiz", "WhatsApp: template only", bot.ActionFollowUp, bot.ActionStatus, strconv.FormatInt(e.carlos, 10)} {
		if !strings.Contains(got, want) {
			t.Errorf("find carlos: missing %q in %s", want, got)
		}
	}
	_, a = e.command(annID, `find jane --any`)
	if got := text(a); !strings.Contains(got, "WhatsApp: free text until") || !strings.Contains(got, ":star: VIP") {
		t.Errorf("find jane: %s", got)
	}
	_, a = e.command(annID, `find nobodyatall`)
	if got := text(a); !strings.Contains(got, "No closed contact matches") {
		t.Errorf("no match: %s", got)
	}
}

// TestMoreButtonPages: with a page of one, More posts the next page.
func TestMoreButtonPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *bot.Config) { c.PageSize = 1 })
	_, a := e.command(annID, `find jan --any`)
	if !strings.Contains(text(a), bot.ActionMore) {
		t.Fatalf("no More button: %s", text(a))
	}
	value := buttonValue(t, a, bot.ActionMore)
	code, _ := e.interact(blockAction(annID, bot.ActionMore, value, e.slack.respond.URL+"/more"))
	if code != http.StatusOK {
		t.Fatalf("More: %d", code)
	}
	eventually(t, "the next page", func() bool {
		for _, m := range e.slack.Answers() {
			if strings.Contains(text(m), "More ") && strings.Contains(text(m), "(from 2)") {
				return true
			}
		}
		return false
	})
}

// TestAmbiguousContactOffersAPick: a name matching several contacts lists
// them; picking one runs the command for that contact.
func TestAmbiguousContactOffersAPick(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, a := e.command(annID, `status janet`)
	got := text(a)
	if !strings.Contains(got, "matches several contacts") || !strings.Contains(got, "Janet Dolan") || !strings.Contains(got, "Janet Dobbs") {
		t.Fatalf("ambiguous: %s", got)
	}
	value := buttonValue(t, a, bot.ActionPick)
	e.interact(blockAction(annID, bot.ActionPick, value, e.slack.respond.URL+"/pick"))
	eventually(t, "the picked contact's status", func() bool {
		for _, m := range e.slack.Answers() {
			if strings.Contains(text(m), "No follow-up is running") {
				return true
			}
		}
		return false
	})
}

// TestTemporalDownTellsTheAgent: with Temporal unreachable the agent is
// told, the provider gets nothing and the conversation is untouched.
func TestTemporalDownTellsTheAgent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *bot.Config) { c.AckWithin = 50 * time.Millisecond; c.WorkTimeout = 3 * time.Second })
	e.bot = bot.New(e.st, actions.New(e.st, unreachableTemporal(t), time.Now), e.slack.client(),
		bot.Config{TeamID: teamID, AckWithin: 50 * time.Millisecond, WorkTimeout: 3 * time.Second})
	mux := http.NewServeMux()
	v, _ := bot.NewVerifier(secret, e.st)
	e.bot.Register(mux, v)
	e.http.Config.Handler = mux
	_, a := e.command(annID, `send jane.doe@example.com hello`)
	e.bot.Wait()
	// Inline when the failure is quick, else through response_url.
	if got := text(a) + text(e.slack.Answers()); !strings.Contains(got, "⚠️") || !strings.Contains(got, "Temporal") {
		t.Fatalf("answers: %s", got)
	}
	if n := len(e.wa.Requests()); n != 0 {
		t.Fatalf("provider got %d requests", n)
	}
	c, _ := e.st.Contact(e.ctx, e.jane)
	if c.AssigneeID != nil {
		t.Fatal("the conversation was assigned although nothing was sent")
	}
}

// buttonValue finds the value of the first button with actionID in a message.
func buttonValue(t *testing.T, m map[string]any, actionID string) string {
	t.Helper()
	var msg slack.Msg
	b := []byte(text(m))
	if err := json.Unmarshal(b, &msg); err != nil {
		t.Fatal(err)
	}
	for _, bl := range msg.Blocks.BlockSet {
		switch bl := bl.(type) {
		case *slack.ActionBlock:
			for _, el := range bl.Elements.ElementSet {
				if be, ok := el.(*slack.ButtonBlockElement); ok && be.ActionID == actionID {
					return be.Value
				}
			}
		case *slack.SectionBlock:
			if bl.Accessory != nil && bl.Accessory.ButtonElement != nil && bl.Accessory.ButtonElement.ActionID == actionID {
				return bl.Accessory.ButtonElement.Value
			}
		}
	}
	t.Fatalf("no %s button in %s", actionID, b)
	return ""
}

// blockAction is the payload Slack posts when user presses a button.
func blockAction(user, actionID, value, responseURL string) map[string]any {
	return map[string]any{
		"type": "block_actions", "team": map[string]any{"id": teamID}, "user": map[string]any{"id": user},
		"trigger_id": "1234.5678.abcd", "response_url": responseURL, "channel": map[string]any{"id": "C0SUPPORT"},
		"actions": []any{map[string]any{"type": "button", "action_id": actionID, "block_id": "b1", "value": value, "action_ts": "1.2"}},
	}
}

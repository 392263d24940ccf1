package bot_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/cadences"
	"github.com/followup-dev/followup/workflows"
)

// answered waits for the answer (inline or through response_url) that
// contains want, and returns everything the agent was answered.
func (e *env) answered(inline map[string]any, want string) string {
	e.t.Helper()
	var got string
	eventually(e.t, "an answer with "+want, func() bool {
		got = text(inline) + text(e.slack.Answers())
		return strings.Contains(got, want)
	})
	return got
}

// defineRenewal defines the cadence renewal: a text that falls back on
// order_update, then order_update itself.
func (e *env) defineRenewal() cadences.Cadence {
	e.t.Helper()
	c, err := cadences.Parse("renewal", []string{
		`2d text "Your plan renews soon" else template order_update 1=you 2=R-1`,
		`5d template order_update 1=you 2=R-1`,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	c.CreatedBy = "cli"
	if err := e.st.SaveCadence(e.ctx, c); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// TestLaterFallsBackOnItsTemplate: a later message to a customer whose
// WhatsApp window is closed when it falls due goes out as its
// --else-template, and status said so while it waited.
func TestLaterFallsBackOnItsTemplate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	at := time.Now().Add(4 * time.Second).UTC().Truncate(time.Second).Add(time.Second)
	_, a := e.command(annID, `later carlos@example.com `+at.Format(time.RFC3339)+` "Checking in" --else-template order_update 1=Carlos 2="A 17"`)
	e.answered(a, "Scheduled for")
	st, err := e.fc.State(e.ctx, e.carlos, followup.WhatsApp)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Scheduled) != 1 || st.Scheduled[0].Request.Else == nil || st.Scheduled[0].Request.Else.Template == nil ||
		strings.Join(st.Scheduled[0].Request.Else.Template.Params, "|") != "Carlos|A 17" {
		t.Fatalf("scheduled %+v", st.Scheduled)
	}
	_, a = e.command(annID, `status carlos@example.com`)
	if got := e.answered(a, "*WhatsApp follow-up*"); !strings.Contains(got, "“Checking in”, then the template order_update if the window has closed") {
		t.Fatalf("status: %s", got)
	}
	eventually(t, "the fallback at the provider", func() bool { return len(e.wa.Accepted()) == 1 })
	if acc := e.wa.Accepted(); acc[0].Type != "template" || acc[0].To != "+34612345678" {
		t.Fatalf("WhatsApp accepted %+v, want the fallback template", acc)
	}
	if body := text(e.wa.Requests()[0].Body); !strings.Contains(body, "order_update") || !strings.Contains(body, "A 17") {
		t.Fatalf("template request %s", body)
	}
	// The agent is told the fallback went out, and status shows it.
	eventually(t, "the DM saying the fallback went out", func() bool {
		for _, c := range e.slack.Calls("chat.postMessage") {
			if c.Form.Get("channel") == annID && strings.Contains(c.Form.Get("text"), "the fallback") {
				return true
			}
		}
		return false
	})
	e.slack.mu.Lock()
	e.slack.answers = nil
	e.slack.mu.Unlock()
	_, a = e.command(annID, `status carlos@example.com`)
	if got := e.answered(a, "*WhatsApp follow-up*"); !strings.Contains(got, "the fallback (the text was no longer allowed)") {
		t.Fatalf("status after the send: %s", got)
	}
}

// TestLaterFallbackIsCheckedBeforeScheduling: a fallback template that is
// not approved, or not given its parameters, and a fallback tag on a
// contact without Messenger are refused at once, and nothing is scheduled.
func TestLaterFallbackIsCheckedBeforeScheduling(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for cmd, want := range map[string][]string{
		`later carlos@example.com 30h "Checking in" --else-template renewal`: {
			"There is no approved WhatsApp template called renewal, so nothing was scheduled.",
			"Approved WhatsApp templates:", "`--else-template order_update 1=… 2=…` — Hi {{1}}, order {{2}} shipped."},
		`later carlos@example.com 30h "Checking in" --else-template order_update 1=Carlos`: {
			"The WhatsApp template order_update takes 2 parameter(s), and 1 were given"},
		`later carlos@example.com 30h "Checking in" --else-tag ACCOUNT_UPDATE`: {"Carlos Ruiz has no Messenger address"},
		`template carlos@example.com order_updates 1=Carlos 2=A-17 --at 2d`: {
			"There is no approved WhatsApp template called order_updates", "`/followup template #" + strconv.FormatInt(e.carlos, 10) + " order_update 1=… 2=…`"},
		`later carlos@example.com 30h "Checking in" --else-template order_update --via sms`: {"--else-template names a WhatsApp template; SMS has no templates"},
	} {
		_, a := e.command(annID, cmd)
		got := e.answered(a, want[0])
		for _, w := range want[1:] {
			if !strings.Contains(got, w) {
				t.Errorf("%s: answer lacks %q: %s", cmd, w, got)
			}
		}
	}
	e.bot.Wait()
	if running, err := e.fc.Running(e.ctx, e.carlos, followup.WhatsApp); err != nil || running {
		t.Fatalf("a follow-up runs (%v) after refused requests", err)
	}
}

// TestTemplateAt: `template … --at` schedules the template, as the
// modal's When does.
func TestTemplateAt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, a := e.command(annID, `template carlos@example.com order_update 1=Carlos 2=A-17 --at 2d`)
	got := e.answered(a, "Scheduled for")
	if !strings.Contains(got, "🕒 WhatsApp with Carlos Ruiz") {
		t.Fatalf("answer %s", got)
	}
	st, err := e.fc.State(e.ctx, e.carlos, followup.WhatsApp)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Scheduled) != 1 || st.Scheduled[0].Request.Template == nil || st.Scheduled[0].Request.Template.Name != "order_update" ||
		time.Until(st.Scheduled[0].At) < 47*time.Hour {
		t.Fatalf("scheduled %+v", st.Scheduled)
	}
	if n := len(e.wa.Requests()); n != 0 {
		t.Fatalf("the provider got %d requests for a scheduled template", n)
	}
	_, a = e.command(annID, `status carlos@example.com`)
	if got := e.answered(a, "*WhatsApp follow-up*"); !strings.Contains(got, ": the template order_update") {
		t.Fatalf("status: %s", got)
	}
}

// TestCadenceCommand: `cadences` lists the defined cadences; `cadence`
// starts one, and status and App Home show the touch reached and the
// next one; an unknown name lists the names there are.
func TestCadenceCommand(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// None defined yet: say how one is defined.
	_, a := e.command(annID, `cadences`)
	if got := e.answered(a, "No cadence is defined yet"); !strings.Contains(got, "followup cadences add") {
		t.Fatalf("cadences with none: %s", got)
	}
	_, a = e.command(annID, `cadence carlos@example.com renewal`)
	if got := e.answered(a, "No cadence is defined yet, so there is no “renewal” to start."); !strings.Contains(got, "followup cadences add") {
		t.Fatalf("cadence with none: %s", got)
	}

	e.defineRenewal()
	_, a = e.command(annID, `cadences`)
	if got := e.answered(a, "1 cadence(s)"); !strings.Contains(got, `• *renewal*: 2d text \"Your plan renews soon\" else template order_update 1=you 2=R-1 · 5d template order_update 1=you 2=R-1`) {
		t.Fatalf("cadences: %s", got)
	}
	_, a = e.command(annID, `cadence carlos@example.com renewl`)
	if got := e.answered(a, "There is no cadence called “renewl”"); !strings.Contains(got, "The cadences are: renewal") {
		t.Fatalf("unknown cadence: %s", got)
	}

	_, a = e.command(annID, `cadence carlos@example.com Renewal`)
	got := e.answered(a, "Cadence renewal started")
	if !strings.Contains(got, "🕒 WhatsApp with Carlos Ruiz: Cadence renewal started: 2 touch(es)") {
		t.Fatalf("start: %s", got)
	}
	st, err := e.fc.State(e.ctx, e.carlos, followup.WhatsApp)
	if err != nil {
		t.Fatal(err)
	}
	if st.Cadence == nil || st.Cadence.Name != "renewal" || len(st.Scheduled) != 2 || st.Scheduled[1].Request.Template == nil {
		t.Fatalf("state %+v %+v", st.Cadence, st.Scheduled)
	}
	next := st.Scheduled[0].At.UTC().Format("Jan 2 15:04 UTC")
	_, a = e.command(annID, `status carlos@example.com`)
	got = e.answered(a, "*WhatsApp follow-up*")
	for _, want := range []string{
		// Each reader sees the time in their zone, UTC where Slack cannot.
		"🔁 Cadence renewal: 2 touch(es), none yet; next <!date^", "|" + next + ">",
		"touch 1 of 2 of the cadence renewal: “Your plan renews soon”, then the template order_update if the window has closed",
		"touch 2 of 2 of the cadence renewal: the template order_update",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("status lacks %q: %s", want, got)
		}
	}
	// A second cadence on the same follow-up is refused while one runs.
	_, a = e.command(annID, `cadence carlos@example.com renewal`)
	e.answered(a, "the cadence renewal is running on this follow-up")

	// App Home shows it too.
	eventually(t, "the follow-up in visibility", func() bool {
		fs, err := e.fc.List(e.ctx, workflows.ListFilter{Agent: annID})
		for _, f := range fs {
			if f.ContactID == e.carlos {
				return err == nil
			}
		}
		return false
	})
	body := `{"token":"x","team_id":"` + teamID + `","api_app_id":"A0APP","type":"event_callback","event_id":"Ev1","event_time":1,
		"event":{"type":"app_home_opened","user":"` + annID + `","channel":"D0","tab":"home","event_ts":"1.2"}}`
	e.post(signed(e.http.URL+"/slack/events", secret, "application/json", body, time.Now()))
	e.bot.Wait()
	pubs := e.slack.Calls("views.publish")
	if len(pubs) != 1 || !strings.Contains(text(pubs[0].JSON), "🔁 cadence renewal: 2 touch(es), none yet; next "+next) {
		t.Fatalf("App Home: %v", pubs)
	}
	// Nothing went out yet: the first touch is two days away.
	if n := len(e.wa.Requests()); n != 0 {
		t.Fatalf("the provider got %d requests", n)
	}
}

// TestCadenceChecksItsTemplates: a cadence whose templates are not
// approved, or that sends templates on a channel without them, is refused
// before it starts.
func TestCadenceChecksItsTemplates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, err := cadences.Parse("winback", []string{`1d template welcome_back`})
	if err != nil {
		t.Fatal(err)
	}
	c.CreatedBy = "cli"
	if err := e.st.SaveCadence(e.ctx, c); err != nil {
		t.Fatal(err)
	}
	_, a := e.command(annID, `cadence carlos@example.com winback`)
	e.answered(a, "Step 1 of the cadence winback cannot be sent on WhatsApp: there is no approved WhatsApp template called welcome_back; nothing was started.")
	_, a = e.command(annID, `cadence carlos@example.com winback --via sms`)
	e.answered(a, "Carlos Ruiz has no SMS address")
	e.bot.Wait()
	if running, err := e.fc.Running(e.ctx, e.carlos, followup.WhatsApp); err != nil || running {
		t.Fatalf("a follow-up runs (%v)", err)
	}
}

// TestCadenceRequestSurvivesACrash: a cadence a process acknowledged and
// died with is started by the next process, once, even when it is run
// again after the follow-up already had it.
func TestCadenceRequestSurvivesACrash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.defineRenewal()
	// What a process that acknowledged "cadence" and was killed leaves behind.
	e.st.DB().MustExec(`INSERT INTO requests (id, agent_slack, payload, response_url, claimed_until, tries)
		VALUES ('slack-dead-cadence', $1, $2, $3, now() - interval '1 second', 1)`,
		annID, `{"command":{"Verb":"cadence","Contact":"carlos@example.com","Cadence":"renewal"}}`, e.slack.respond.URL+"/commands/9")
	for run := 1; run <= 2; run++ {
		if n, err := e.bot.ResumeOnce(e.ctx); err != nil || n != 1 {
			t.Fatalf("run %d: resumed %d (%v), want 1", run, n, err)
		}
		e.bot.Wait()
		// Killed again after the follow-up had it, before it was marked done.
		e.st.DB().MustExec(`UPDATE requests SET state = 'pending', claimed_until = now() - interval '1 second' WHERE id = 'slack-dead-cadence'`)
	}
	answers := e.slack.Answers()
	if len(answers) != 2 {
		t.Fatalf("%d answers, want one per run", len(answers))
	}
	for _, a := range answers {
		if !strings.Contains(text(a), "Cadence renewal started: 2 touch(es)") {
			t.Fatalf("answer %s", text(a))
		}
	}
	st, err := e.fc.State(e.ctx, e.carlos, followup.WhatsApp)
	if err != nil {
		t.Fatal(err)
	}
	if st.Cadence == nil || len(st.Scheduled) != 2 {
		t.Fatalf("after two runs: cadence %+v, %d scheduled, want one cadence of 2 touches", st.Cadence, len(st.Scheduled))
	}
}

// TestFollowUpModalStartsACadence: the Follow up modal offers the defined
// cadences; picking one starts it on the channel picked, and the agent is
// told it started.
func TestFollowUpModalStartsACadence(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.defineRenewal()
	e.interact(blockAction(annID, bot.ActionFollowUp, strconv.FormatInt(e.carlos, 10), e.slack.respond.URL+"/x"))
	opens := e.slack.Calls("views.open")
	if len(opens) != 1 {
		t.Fatalf("views.open called %d times", len(opens))
	}
	view := text(opens[0].JSON)
	if !strings.Contains(view, `"block_id":"cadence"`) || !strings.Contains(view, "renewal (2 touch(es))") {
		t.Fatalf("modal lacks the cadence choice: %s", view)
	}
	meta := opens[0].JSON["view"].(map[string]any)["private_metadata"]
	submit := func(values map[string]map[string]slack.BlockAction) map[string]any {
		_, resp := e.interact(map[string]any{
			"type": "view_submission", "team": map[string]any{"id": teamID}, "user": map[string]any{"id": annID},
			"view": map[string]any{"id": "V2", "hash": "h-" + strconv.Itoa(len(values)), "callback_id": bot.CallbackFollowUp,
				"private_metadata": meta, "state": map[string]any{"values": values}},
		})
		return resp
	}
	sel := func(v string) slack.BlockAction {
		return slack.BlockAction{SelectedOption: slack.OptionBlockObject{Value: v}}
	}
	// A message and a cadence: the error is on the cadence.
	resp := submit(map[string]map[string]slack.BlockAction{"channel": {"v": sel("whatsapp")}, "text": {"v": {Value: "hi"}}, "cadence": {"v": sel("renewal")}})
	if errs, _ := resp["errors"].(map[string]any); errs["cadence"] == nil {
		t.Fatalf("a message and a cadence: %s", text(resp))
	}
	resp = submit(map[string]map[string]slack.BlockAction{"channel": {"v": sel("whatsapp")}, "cadence": {"v": sel("renewal")}})
	if resp != nil {
		t.Fatalf("valid submission answered %s", text(resp))
	}
	e.bot.Wait()
	st, err := e.fc.State(e.ctx, e.carlos, followup.WhatsApp)
	if err != nil {
		t.Fatal(err)
	}
	if st.Cadence == nil || st.Cadence.Name != "renewal" || len(st.Scheduled) != 2 {
		t.Fatalf("state %+v %+v", st.Cadence, st.Scheduled)
	}
	found := false
	for _, c := range e.slack.Calls("chat.postMessage") {
		found = found || c.Form.Get("channel") == annID && strings.Contains(c.Form.Get("text"), "Cadence renewal started")
	}
	if !found {
		t.Fatalf("no DM saying the cadence started: %v", e.slack.Calls("chat.postMessage"))
	}
}

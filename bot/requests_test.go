package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup/internal/pgtest"
)

// TestAcknowledgedRequestIsResumedAfterACrash: a command a process
// acknowledged and then died with (its claim ran out) is carried out by
// the next process that serves Slack, once, and answered through its
// response_url.
func TestAcknowledgedRequestIsResumedAfterACrash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// What a process that acknowledged "send" and was killed leaves behind.
	e.st.DB().MustExec(`INSERT INTO requests (id, agent_slack, payload, response_url, claimed_until, tries)
		VALUES ('slack-dead-process', $1, $2, $3, now() - interval '1 second', 1)`,
		annID, `{"command":{"Verb":"send","Contact":"jane.doe@example.com","Text":"Your refund has landed"}}`, e.slack.respond.URL+"/commands/9")
	n, err := e.bot.ResumeOnce(e.ctx)
	if err != nil || n != 1 {
		t.Fatalf("resumed %d (%v), want 1", n, err)
	}
	e.bot.Wait()
	if n, err := e.bot.ResumeOnce(e.ctx); err != nil || n != 0 {
		t.Fatalf("resumed %d again (%v)", n, err)
	}
	found := false
	for _, a := range e.slack.Answers() {
		found = found || strings.Contains(text(a), "Sent to Jane Doe on WhatsApp")
	}
	if !found {
		t.Fatalf("no answer through response_url: %v", e.slack.Answers())
	}
	if acc := e.wa.Accepted(); len(acc) != 1 {
		t.Fatalf("WhatsApp accepted %d messages, want 1", len(acc))
	}
	var state string
	e.st.DB().Get(&state, `SELECT state FROM requests WHERE id = 'slack-dead-process'`)
	if state != "done" {
		t.Fatalf("request %s, want done", state)
	}
}

// TestRequestRunTwiceSendsOnce: a process that died after the follow-up
// had the request but before it was marked done leaves it to be run
// again; the follow-up recognises it by its id and sends nothing more.
func TestRequestRunTwiceSendsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.st.DB().MustExec(`INSERT INTO requests (id, agent_slack, payload, response_url, claimed_until, tries)
		VALUES ('slack-twice', $1, $2, $3, now() - interval '1 second', 1)`,
		annID, `{"command":{"Verb":"send","Contact":"jane.doe@example.com","Text":"Only once"}}`, e.slack.respond.URL+"/commands/9")
	if _, err := e.bot.ResumeOnce(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.bot.Wait()
	e.st.DB().MustExec(`UPDATE requests SET state = 'pending', claimed_until = now() - interval '1 second' WHERE id = 'slack-twice'`)
	if _, err := e.bot.ResumeOnce(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.bot.Wait()
	if acc := e.wa.Accepted(); len(acc) != 1 {
		t.Fatalf("WhatsApp accepted %d messages, want 1", len(acc))
	}
	if got := len(e.slack.Answers()); got != 2 {
		t.Fatalf("%d answers, want one per run", got)
	}
}

// TestDatabaseDownIsNamed: when the request cannot be recorded, the agent
// is told the database is unavailable and that nothing was done.
func TestDatabaseDownIsNamed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// The agent is known (cached), then the database goes away.
	e.bot.Command(e.ctx, slack.SlashCommand{TeamID: teamID, UserID: annID, Text: "help"})
	end := pgtest.Outage(t, e.url)
	defer end()
	start := time.Now()
	m := e.bot.Command(e.ctx, slack.SlashCommand{TeamID: teamID, UserID: annID, Text: "send jane.doe@example.com hello", ResponseURL: e.slack.respond.URL + "/commands/2"})
	if !strings.Contains(m.Text, "database is unavailable") || !strings.Contains(m.Text, "not recorded") {
		t.Fatalf("answer %q", m.Text)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("answered in %s: Slack waits 3 s at most", d)
	}
	end()
	e.bot.Wait()
	if n := len(e.wa.Requests()); n != 0 {
		t.Fatalf("provider got %d requests", n)
	}
}

// TestResumedCancelSaysWhatHappened: a cancel run again after a restart,
// whose first run had already ended the follow-up, says so instead of
// "no follow-up is running".
func TestResumedCancelSaysWhatHappened(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, _ = e.command(annID, `send jane.doe@example.com "hello"`)
	e.bot.Wait()
	e.st.DB().MustExec(`INSERT INTO requests (id, agent_slack, payload, response_url, claimed_until, tries)
		VALUES ('slack-cancel', $1, $2, $3, now() - interval '1 second', 1)`,
		annID, `{"command":{"Verb":"cancel","Contact":"jane.doe@example.com"}}`, e.slack.respond.URL+"/commands/7")
	if _, err := e.bot.ResumeOnce(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.bot.Wait()
	e.st.DB().MustExec(`UPDATE requests SET state = 'pending', claimed_until = now() - interval '1 second' WHERE id = 'slack-cancel'`)
	if _, err := e.bot.ResumeOnce(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.bot.Wait()
	var all []string
	for _, a := range e.slack.Answers() {
		all = append(all, text(a))
	}
	got := strings.Join(all, "\n")
	if !strings.Contains(got, "Cancelled the WhatsApp follow-up") || !strings.Contains(got, "had already ended it") {
		t.Fatalf("answers: %s", got)
	}
}

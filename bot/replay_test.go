package bot_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
)

// secondServer is another `followup serve` over the same database as e's,
// with its own connection pool, bot and verifier, behind the same load
// balancer; dbURL, when set, is how it reaches Postgres.
func (e *env) secondServer(dbURL string) (*httptest.Server, *bot.Bot) {
	e.t.Helper()
	if dbURL == "" {
		dbURL = e.st.Pool().Config().ConnString()
	}
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(st.Close)
	b := bot.New(st, actions.New(st, e.fc, time.Now), e.slack.client(),
		bot.Config{TeamID: teamID, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	v, err := bot.NewVerifier(secret, st)
	if err != nil {
		e.t.Fatal(err)
	}
	mux := http.NewServeMux()
	b.Register(mux, v)
	srv := httptest.NewServer(mux)
	e.t.Cleanup(srv.Close)
	e.t.Cleanup(b.Wait)
	return srv, b
}

// TestTwoServersRefuseAReplay: a signed request one server accepted is
// refused as a replay by the other, in either direction.
func TestTwoServersRefuseAReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	two, _ := e.secondServer("")
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	for _, order := range [][2]string{{e.http.URL, two.URL}, {two.URL, e.http.URL}} {
		form := e.commandForm(annID, `find jane`) // a new trigger_id each time
		if code, _ := e.post(signedAt(order[0]+"/slack/commands", form, ts)); code != http.StatusOK {
			t.Fatalf("genuine request to %s: %d", order[0], code)
		}
		if code, _ := e.post(signedAt(order[1]+"/slack/commands", form, ts)); code != http.StatusUnauthorized {
			t.Errorf("the same request to %s: status %d, want 401", order[1], code)
		}
	}
}

// TestPostgresDownRefusesSlackRequests: when the replay guard's database
// cannot be reached, a genuine slash command is answered (Slack shows only
// a 200's answer) with what is down, and nothing is done: no answer
// later, no send. A button press gets 503 with the reason.
func TestPostgresDownRefusesSlackRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	relayed, cut := pgtest.Relay(t, e.st.Pool().Config().ConnString())
	srv, b := e.secondServer(relayed)
	cut()
	form := e.commandForm(annID, `send jane.doe@example.com hello`)
	r := signed(srv.URL+"/slack/commands", secret, "application/x-www-form-urlencoded", form, time.Now())
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "database is unavailable") || !strings.Contains(string(body), "nothing was changed") {
		t.Fatalf("with Postgres down: %d %q, want an answer naming the database", resp.StatusCode, body)
	}
	payload, _ := json.Marshal(blockAction(annID, bot.ActionStatus, "1", e.slack.respond.URL+"/actions/1"))
	r = signed(srv.URL+"/slack/interactivity", secret, "application/x-www-form-urlencoded", url.Values{"payload": {string(payload)}}.Encode(), time.Now())
	resp, err = http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "replay") {
		t.Fatalf("button with Postgres down: %d %q, want 503 saying why", resp.StatusCode, body)
	}
	b.Wait()
	if got := e.slack.Answers(); len(got) != 0 {
		t.Errorf("answered through response_url: %s", text(got))
	}
	if n := len(e.wa.Requests()); n != 0 {
		t.Errorf("provider got %d requests", n)
	}
}

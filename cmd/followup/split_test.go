package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels/telegram/telegramtest"
	"github.com/followup-dev/followup/devserver"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

// proc is a followup command running as its own process, as an operator
// starts it.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error // Wait's result, once done is closed
}

// startProc runs `followup args…` with env (and nothing else from the
// test's environment) and waits until its output contains ready.
func startProc(t *testing.T, name string, env map[string]string, ready string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, out: new(syncBuffer), done: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], args...)
	p.cmd.Env = []string{"FOLLOWUP_TEST_MAIN=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(p.out.String(), ready) {
		select {
		case <-p.done:
			t.Fatalf("%s exited (%v) before it was ready:\n%s", name, p.err, p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after a minute:\n%s", name, p.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return p
}

// stop sends sig and waits for a clean exit.
func (p *proc) stop(sig os.Signal) {
	p.t.Helper()
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
		if p.err != nil {
			p.t.Errorf("%s exited with %v after %v:\n%s", p.name, p.err, sig, p.out.String())
		}
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		p.t.Errorf("%s did not stop within 30 s of %v", p.name, sig)
	}
}

// heldProvider stands between the workers and one fake provider, as a slow
// provider would: it forwards each request at once and holds the answer
// for a while. Each worker gets its own base URL (BaseURL/<worker>), so the
// test knows whose sends the provider has accepted without the worker
// having heard back: killing that worker then leaves sends whose outcome
// only the provider knows.
type heldProvider struct {
	srv      *httptest.Server
	upstream string
	hold     time.Duration

	mu       sync.Mutex
	received map[string]int // requests per worker
	held     map[string]int // answers being held per worker now
}

func newHeldProvider(upstream string, hold time.Duration) *heldProvider {
	h := &heldProvider{upstream: upstream, hold: hold, received: map[string]int{}, held: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	return h
}

// url is the base URL for worker.
func (h *heldProvider) url(worker string) string { return h.srv.URL + "/" + worker }

func (h *heldProvider) serve(w http.ResponseWriter, r *http.Request) {
	worker, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	body, _ := io.ReadAll(r.Body)
	req, _ := http.NewRequest(r.Method, h.upstream+"/"+rest, bytes.NewReader(body))
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	h.mu.Lock()
	h.received[worker]++
	h.held[worker]++
	h.mu.Unlock()
	select {
	case <-time.After(h.hold):
	case <-r.Context().Done(): // the worker is gone
	}
	h.mu.Lock()
	h.held[worker]--
	h.mu.Unlock()
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// holding returns a worker whose answers are being held, once the provider
// has received at least n requests in all, and what it says about each
// worker at that moment.
func (h *heldProvider) holding(n int) (worker, report string, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	total := 0
	for _, c := range h.received {
		total += c
	}
	if total < n {
		return "", "", false
	}
	for w, c := range h.held {
		if c > 0 {
			return w, fmt.Sprintf("received %v, answers held %v", h.received, h.held), true
		}
	}
	return "", "", false
}

// TestSplitProcessesSurviveAWorkerKill runs followup as separate processes,
// as the README's "Running the processes separately" does: `followup
// temporal`, `followup serve` and two `followup worker --sandbox`. A burst
// of follow-ups arrives through the CLI and through signed slash commands
// to serve; both workers take a share, and one is killed (SIGKILL) while
// the provider holds answers to sends it has accepted from it. Every
// follow-up must still complete on the surviving worker, every request gets
// its outcome, and no message is left pending.
//
// Telegram (no idempotency key) goes through one fake shared by both
// workers, so the test sees what the provider received; SMS runs in each
// worker's own sandbox.
func TestSplitProcessesSurviveAWorkerKill(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts Temporal, serve and two workers as processes")
	}
	began := time.Now()
	c := newCLI(t)
	tg := telegramtest.New()
	defer tg.Close()
	provider := newHeldProvider(tg.URL(), 400*time.Millisecond)
	defer provider.srv.Close()

	// 20 Telegram contacts (two have blocked the bot) and 10 on SMS.
	c.ok("agents", "add", "--slack-user", "U0SPLIT", "--name", "Ann Split")
	var csv strings.Builder
	csv.WriteString("first_name,last_name,email,phone,channel,external_id\n")
	type send struct{ email, via, chat string }
	var sends []send
	for i := range 10 {
		// Two on Telegram, one on SMS, and again.
		for _, tgi := range []int{2 * i, 2*i + 1} {
			chat := strconv.Itoa(70000 + tgi)
			fmt.Fprintf(&csv, "Tg,Contact%02d,tg%02d@split.example,,telegram,%s\n", tgi, tgi, chat)
			sends = append(sends, send{fmt.Sprintf("tg%02d@split.example", tgi), "telegram", chat})
		}
		fmt.Fprintf(&csv, "Sms,Contact%02d,sms%02d@split.example,+1415555%04d,sms,\n", i, i, i)
		sends = append(sends, send{fmt.Sprintf("sms%02d@split.example", i), "sms", ""})
	}
	blocked := map[string]bool{"70003": true, "70011": true}
	for chat := range blocked {
		tg.FailFor(chat, telegramtest.Blocked)
	}
	if code, out, errs := c.run(csv.String(), "contacts", "import", "-"); code != 0 {
		t.Fatalf("import: %s%s", out, errs)
	}

	temporalAddr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	httpAddr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	const signingSecret = "split-test-signing-secret"
	base := map[string]string{"DATABASE_URL": c.env["DATABASE_URL"], "FOLLOWUP_DATA_DIR": c.env["FOLLOWUP_DATA_DIR"]}
	with := func(kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	tp := startProc(t, "followup temporal", base, "Temporal is running", "temporal", "--address", temporalAddr, "--no-ui")
	if !strings.Contains(tp.out.String(), "TEMPORAL_ADDRESS="+temporalAddr+" followup worker") {
		t.Errorf("the banner does not say how to start a worker:\n%s", tp.out.String())
	}
	serve := startProc(t, "followup serve", with("TEMPORAL_ADDRESS", temporalAddr, "HTTP_ADDR", httpAddr,
		"SLACK_SIGNING_SECRET", signingSecret, "SLACK_BOT_TOKEN", "xoxb-split-test"), "serving on", "serve")
	workers := map[string]*proc{}
	for _, name := range []string{"w1", "w2"} {
		workers[name] = startProc(t, "followup worker "+name, with("TEMPORAL_ADDRESS", temporalAddr,
			"TELEGRAM_BOT_TOKEN", telegramtest.Token, "TELEGRAM_API_URL", provider.url(name)),
			"worker polling", "worker", "--sandbox")
	}
	t.Logf("four processes up in %s", time.Since(began).Round(time.Millisecond))

	// The burst: one send every 30 ms, alternately through the CLI (straight
	// to Temporal) and as a slash command to serve.
	c.env["TEMPORAL_ADDRESS"] = temporalAddr
	c.env["HTTP_ADDR"] = httpAddr
	c.env["SLACK_SIGNING_SECRET"] = signingSecret
	type result struct {
		code int
		out  string
		took time.Duration
	}
	results := make([]result, len(sends))
	var wg sync.WaitGroup
	burst := time.Now()
	for i, s := range sends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 30 * time.Millisecond)
			text := fmt.Sprintf("burst message %d", i)
			args := []string{"send", s.email, "--via", s.via, text}
			if i%2 == 1 {
				args = []string{"slash", "--user", "U0SPLIT", "--wait", "50s", fmt.Sprintf("send %s --via %s %s", s.email, s.via, text)}
			}
			start := time.Now()
			code, out, errs := c.run("", args...)
			results[i] = result{code, out + errs, time.Since(start)}
		}()
	}

	// Kill a worker while the provider holds answers to its sends.
	var killed, survivor, atKill string
	var killedAt time.Time
	for deadline := time.Now().Add(20 * time.Second); killed == ""; time.Sleep(2 * time.Millisecond) {
		if w, report, ok := provider.holding(8); ok {
			_ = workers[w].cmd.Process.Kill()
			killed, atKill, killedAt = w, report, time.Now()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no worker had a send in flight at the provider")
		}
	}
	for w := range workers {
		if w != killed {
			survivor = w
		}
	}
	<-workers[killed].done
	if ws, ok := workers[killed].cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Errorf("worker %s: %v, want killed by SIGKILL", killed, workers[killed].err)
	}
	t.Logf("killed worker %s (pid %d) with SIGKILL %s into the burst; the Telegram fake had %s",
		killed, workers[killed].cmd.Process.Pid, killedAt.Sub(burst).Round(time.Millisecond), atKill)

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("sends still waiting a minute after the kill")
	}
	t.Logf("every request answered %s after the kill", time.Since(killedAt).Round(time.Millisecond))

	// Every request got its outcome: sent, refused by the provider, or (a
	// send the killed worker had in flight, on a channel that cannot tell a
	// repeat from a new message) "may not have been sent".
	const unconfirmedText = "may not have been sent"
	var slowest time.Duration
	for i, s := range sends {
		r := results[i]
		slowest = max(slowest, r.took)
		want, wantCode := "Sent to ", 0
		if blocked[s.chat] {
			want = "cannot be reached"
			if i%2 == 0 {
				wantCode = 1 // the CLI's exit status for a refusal
			}
		}
		switch {
		case strings.Contains(r.out, unconfirmedText):
			want, wantCode = unconfirmedText, 0
		case blocked[s.chat] && !strings.Contains(r.out, want) && strings.Contains(r.out, "blocked by the user"):
			// The refusal recorded by the killed worker, read back by the
			// survivor's re-run: the provider's words, without the
			// "recipient gone" class of a fresh refusal.
			want = "blocked by the user"
			t.Logf("request %d: refused after the kill as %q", i, strings.TrimSpace(r.out))
		}
		if r.code != wantCode || !strings.Contains(r.out, want) {
			t.Errorf("send %d (%s on %s, %s): exit %d after %s, want exit %d and %q:\n%s",
				i, s.email, s.via, map[bool]string{false: "CLI", true: "slash"}[i%2 == 1], r.code, r.took.Round(time.Millisecond), wantCode, want, r.out)
		}
	}
	t.Logf("slowest request: %s", slowest.Round(time.Millisecond))

	// The database: one message per request, none left pending or in flight.
	ctx := context.Background()
	st, err := store.Open(ctx, c.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	type row struct {
		ContactID int64            `db:"contact_id"`
		Channel   followup.Channel `db:"channel"`
		Status    string           `db:"status"`
		Body      string           `db:"body"`
	}
	var rows []row
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		rows = nil
		if err := st.DB().SelectContext(ctx, &rows, `SELECT contact_id, channel, status, body FROM messages WHERE direction = 'outbound' ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		open := 0
		for _, r := range rows {
			if r.Status == "pending" || r.Status == "sending" {
				open++
			}
		}
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d message(s) still pending or sending 20 s after the burst: %+v", open, rows)
		}
	}
	if len(rows) != len(sends) {
		t.Errorf("%d outbound messages for %d requests: %+v", len(rows), len(sends), rows)
	}
	statuses := map[string]int{}
	status := map[int]string{} // by request
	for _, r := range rows {
		statuses[r.Status]++
		var i int
		if _, err := fmt.Sscanf(r.Body, "burst message %d", &i); err != nil || i < 0 || i >= len(sends) {
			t.Errorf("a message nobody asked for: %+v", r)
			continue
		}
		status[i] = r.Status
		want := "sent"
		if blocked[sends[i].chat] {
			want = "undeliverable"
		}
		if r.Status != want && r.Status != "unconfirmed" {
			t.Errorf("request %d (%s on %s): message %s, want %s", i, sends[i].email, sends[i].via, r.Status, want)
		}
	}
	t.Logf("messages by status: %v", statuses)

	// What the providers received. Telegram deduplicates nothing: a send
	// the killed worker had made is a new message if made again.
	perChat := map[string]int{}
	for _, r := range tg.Requests() {
		perChat[r.Params["chat_id"]]++
	}
	var twice []string
	for i, s := range sends {
		switch n := perChat[s.chat]; {
		case s.via != "telegram":
		case n == 0 && status[i] != "unconfirmed":
			t.Errorf("request %d: Telegram never received the message to chat %s, recorded %s", i, s.chat, status[i])
		case n > 1 && status[i] == "unconfirmed":
			t.Errorf("request %d: Telegram received the message to chat %s %d times, recorded unconfirmed", i, s.chat, n)
		case n > 1 && !blocked[s.chat]:
			twice = append(twice, fmt.Sprintf("%s×%d", s.chat, n))
		}
	}
	t.Logf("Telegram received %d requests for 20 messages; delivered more than once: %v", len(tg.Requests()), twice)
	var outbox int
	if err := st.DB().GetContext(ctx, &outbox, `SELECT count(*) FROM sandbox_outbox WHERE channel = 'sms'`); err != nil {
		t.Fatal(err)
	}
	if outbox < 10-statuses["unconfirmed"] || outbox > 10 {
		t.Errorf("the sandbox outbox lists %d SMS for 10 requests", outbox)
	}

	// Both workers took a share; the killed one's workflow tasks timed out
	// and ran again on the survivor.
	tc, err := client.Dial(client.Options{HostPort: temporalAddr, Logger: log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	pids := map[string]string{}
	for w, p := range workers {
		pids[strconv.Itoa(p.cmd.Process.Pid)] = w
	}
	tasks := map[string]int{}
	timedOut, followups := 0, 0
	for _, r := range rows {
		followups++
		it := tc.GetWorkflowHistory(ctx, workflows.WorkflowID(r.ContactID, r.Channel), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			switch e.GetEventType() {
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
				pid, _, _ := strings.Cut(e.GetWorkflowTaskStartedEventAttributes().GetIdentity(), "@")
				tasks[pids[pid]]++
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
				timedOut++
			}
		}
	}
	t.Logf("workflow tasks of %d follow-ups by worker: %v; %d timed out on the killed worker and ran again", followups, tasks, timedOut)
	if tasks[killed] == 0 || tasks[survivor] == 0 {
		t.Errorf("workflow tasks by worker %v: both workers should have taken a share", tasks)
	}
	if timedOut == 0 {
		t.Error("no workflow task timed out: the killed worker had nothing in flight")
	}
	if statuses["unconfirmed"] > timedOut {
		t.Errorf("%d message(s) unconfirmed, but only %d workflow task(s) were lost with the killed worker", statuses["unconfirmed"], timedOut)
	}

	// The rest stop cleanly.
	workers[survivor].stop(syscall.SIGTERM)
	serve.stop(syscall.SIGTERM)
	tp.stop(os.Interrupt)
	if !strings.Contains(tp.out.String(), "stopped") {
		t.Errorf("followup temporal did not say it stopped:\n%s", tp.out.String())
	}
	if _, err := os.Stat(filepath.Join(c.env["FOLLOWUP_DATA_DIR"], devserver.DatabaseFile)); err != nil {
		t.Errorf("no Temporal database in FOLLOWUP_DATA_DIR: %v", err)
	}
	t.Logf("%d follow-ups with a worker killed, in %s", len(sends), time.Since(began).Round(time.Millisecond))
}

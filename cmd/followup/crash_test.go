package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/channels/line/linetest"
	"github.com/followup-dev/followup/channels/telegram/telegramtest"
	"github.com/followup-dev/followup/channels/twilio/twiliotest"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
)

// The crash tests run `followup dev` as a real process against fake
// providers that live in the test (so they outlive the process), send a
// burst of signed slash commands, and break things while sends are in
// flight: kill -9 of the process, or the database's connections
// terminated and refused. Then they check, at the fakes and in the
// database, the promise of docs/RELIABILITY.md: every acknowledged send
// reached the customer exactly once, or the agent was told it was refused
// or may not have been sent; none reached a customer twice on a channel
// that cannot deduplicate; nothing is left pending.

// devProc is `followup dev` as a child process that can be killed.
type devProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	done chan error
	out  *syncBuffer
}

func startDevProc(t *testing.T, c *cli, port *int, out *syncBuffer) *devProc {
	t.Helper()
	for attempt := 1; ; attempt++ {
		p, failed := tryStartDevProc(t, c, *port, out)
		if p != nil {
			return p
		}
		// A port the embedded server picked was taken before it bound it:
		// with a fixed --temporal-port it cannot retry by itself
		// (devserver's freePort); the follow-ups find it through
		// FOLLOWUP_DATA_DIR wherever it listens.
		if attempt == 3 || !strings.Contains(failed, "is already in use") {
			t.Fatalf("followup dev exited:\n%s", failed)
		}
		*port = freePort(t)
	}
}

// tryStartDevProc starts followup dev and waits until it is ready; nil and
// what it printed when it exited instead.
func tryStartDevProc(t *testing.T, c *cli, port int, out *syncBuffer) (*devProc, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "dev", "--temporal-port", strconv.Itoa(port), "--no-demo", "--no-ui")
	cmd.Env = []string{"FOLLOWUP_TEST_MAIN=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range c.env {
		if k != "TEMPORAL_ADDRESS" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &devProc{t: t, cmd: cmd, done: make(chan error, 1), out: out}
	mark := strings.Count(out.String(), "followup dev is running")
	go func() { p.done <- cmd.Wait() }()
	for deadline := time.Now().Add(90 * time.Second); strings.Count(out.String(), "followup dev is running") == mark; time.Sleep(25 * time.Millisecond) {
		select {
		case err := <-p.done:
			return nil, fmt.Sprintf("(%v)\n%s", err, tail(out.String()))
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("followup dev not ready:\n%s", tail(out.String()))
		}
	}
	t.Cleanup(func() { p.kill() })
	return p, ""
}

// kill is kill -9.
func (p *devProc) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.t.Error("followup dev did not die on SIGKILL")
	}
}

func tail(s string) string {
	if len(s) > 6000 {
		return "…" + s[len(s)-6000:]
	}
	return s
}

// slowAnswers forwards to a fake provider at once (it accepts the message)
// and holds the answer back for delay: a crash in that time leaves a
// message the provider has and the sender never heard of.
func slowAnswers(t *testing.T, target string, delay time.Duration) string {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(*http.Response) error {
		time.Sleep(delay)
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL
}

// crashRig is the product under test and what it talks to.
type crashRig struct {
	t        *testing.T
	c        *cli
	port     int
	out      *syncBuffer
	st       *store.Store
	tg       *telegramtest.Server
	tw       *twiliotest.Server
	ln       *linetest.Server
	dev      *devProc
	base     string
	contacts []crashContact

	mu      sync.Mutex
	answers map[int][]string // response_url posts, by command
	// up is held for reading by commands being posted, for writing while
	// the process is down (agents wait for the server to come back).
	up sync.RWMutex
}

type crashContact struct {
	id      int64
	channel followup.Channel
	address string
	text    string
}

func newCrashRig(t *testing.T, n int, providerDelay time.Duration) *crashRig {
	t.Helper()
	r := &crashRig{t: t, c: newCLI(t), port: freePort(t), out: new(syncBuffer), answers: map[int][]string{},
		tg: telegramtest.New(), tw: twiliotest.New(), ln: linetest.New()}
	t.Cleanup(r.tg.Close)
	t.Cleanup(r.tw.Close)
	t.Cleanup(r.ln.Close)
	httpPort := freePort(t)
	r.base = "http://127.0.0.1:" + strconv.Itoa(httpPort)
	for k, v := range map[string]string{
		"HTTP_ADDR":          "127.0.0.1:" + strconv.Itoa(httpPort),
		"TELEGRAM_API_URL":   slowAnswers(t, r.tg.URL(), providerDelay),
		"TELEGRAM_BOT_TOKEN": telegramtest.Token, "TWILIO_API_URL": slowAnswers(t, r.tw.URL(), providerDelay),
		"TWILIO_ACCOUNT_SID": twiliotest.AccountSID, "TWILIO_AUTH_TOKEN": twiliotest.AuthToken, "TWILIO_FROM": twiliotest.From,
		"LINE_API_URL": slowAnswers(t, r.ln.URL(), providerDelay), "LINE_CHANNEL_TOKEN": linetest.AccessToken, "LINE_CHANNEL_SECRET": linetest.ChannelSecret,
		"FOLLOWUP_SEND_LEASE": "3s",
	} {
		r.c.env[k] = v
	}
	r.dev = startDevProc(t, r.c, &r.port, r.out)
	st, err := store.Open(context.Background(), r.c.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	r.st = st
	ctx := context.Background()
	if _, _, err := st.SaveAgent(ctx, followup.Agent{SlackUserID: "U0CRASH", Name: "Crash Tester"}); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-2 * time.Hour)
	for i := range n {
		cc := crashContact{text: fmt.Sprintf("follow-up number %d", i)}
		in := store.ContactInput{FirstName: "Customer", LastName: strconv.Itoa(i), Email: fmt.Sprintf("c%d@crash.example", i), LastInboundAt: &past}
		switch i % 3 {
		case 0:
			cc.channel, cc.address = followup.Telegram, strconv.Itoa(700000+i)
		case 1:
			cc.channel, cc.address = followup.SMS, fmt.Sprintf("+1415555%04d", i)
		default:
			cc.channel, cc.address = followup.LINE, fmt.Sprintf("U%032x", 0xc0ffee000+i)
		}
		in.Channel, in.ExternalID = cc.channel, cc.address
		if cc.channel == followup.SMS {
			in.Phone = cc.address
		}
		if cc.id, _, err = st.SaveContact(ctx, in); err != nil {
			t.Fatal(err)
		}
		r.contacts = append(r.contacts, cc)
	}
	return r
}

// restart starts the process again after a kill.
func (r *crashRig) restart() { r.dev = startDevProc(r.t, r.c, &r.port, r.out) }

// send posts command i as Slack does and reports whether it was
// acknowledged ("working on it").
func (r *crashRig) send(i int, responses string) bool {
	secret, err := os.ReadFile(filepath.Join(r.c.env["FOLLOWUP_DATA_DIR"], devSigningSecretFile))
	if err != nil {
		return false
	}
	cc := r.contacts[i]
	trigger := make([]byte, 8)
	for j := range trigger {
		trigger[j] = byte(rand.IntN(256))
	}
	form := url.Values{
		"team_id": {"T0LOCAL"}, "channel_id": {"C0LOCAL"}, "user_id": {"U0CRASH"}, "command": {"/followup"},
		"text":         {bot.EscapeText(fmt.Sprintf("send #%d --via %s %s", cc.id, cc.channel, cc.text))},
		"response_url": {responses + "/" + strconv.Itoa(i)}, "trigger_id": {hex.EncodeToString(trigger)},
	}.Encode()
	req, _ := http.NewRequest(http.MethodPost, r.base+"/slack/commands", strings.NewReader(form))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(bot.HeaderTimestamp, ts)
	req.Header.Set(bot.HeaderSignature, bot.Sign(strings.TrimSpace(string(secret)), ts, []byte(form)))
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		if os.Getenv("CRASH_DEBUG") != "" {
			fmt.Println("DEBUG", err)
		}
		return false
	}
	defer resp.Body.Close()
	var m slack.Msg
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&m) != nil {
		if os.Getenv("CRASH_DEBUG") != "" {
			b, _ := io.ReadAll(resp.Body)
			fmt.Println("DEBUG", resp.StatusCode, string(b))
		}
		return false
	}
	if os.Getenv("CRASH_DEBUG") != "" && !strings.HasPrefix(m.Text, "⏳") {
		fmt.Println("DEBUG", m.Text)
	}
	return strings.HasPrefix(m.Text, "⏳")
}

// responseURL serves the commands' response_urls.
func (r *crashRig) responseURL() string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		i, err := strconv.Atoi(strings.TrimPrefix(req.URL.Path, "/"))
		body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		if err == nil {
			var m slack.Msg
			_ = json.Unmarshal(body, &m)
			r.mu.Lock()
			r.answers[i] = append(r.answers[i], m.Text)
			r.mu.Unlock()
		}
	}))
	r.t.Cleanup(srv.Close)
	return srv.URL
}

// burst sends every command from workers goroutines, calling during(k)
// after each acknowledgement (k acknowledged so far); it returns which
// were acknowledged.
func (r *crashRig) burst(workers int, during func(acked int)) []bool {
	responses := r.responseURL()
	acked := make([]bool, len(r.contacts))
	var next, count atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(r.contacts) {
					return
				}
				r.up.RLock()
				ok := r.send(i, responses)
				r.up.RUnlock()
				if ok {
					acked[i] = true
					during(int(count.Add(1)))
				}
			}
		}()
	}
	wg.Wait()
	return acked
}

// settle waits until every request is carried out and no message is
// pending or sending, and fails the test if that does not happen.
func (r *crashRig) settle(within time.Duration) {
	r.t.Helper()
	var requests, messages int
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		var err1, err2 error
		requests, err1 = r.st.CountPendingRequests(ctx)
		messages, err2 = r.st.CountUnresolved(ctx)
		cancel()
		if err1 == nil && err2 == nil && requests == 0 && messages == 0 {
			return
		}
	}
	r.t.Fatalf("not settled after %s: %d requests not carried out, %d messages pending or sending\n%s", within, requests, messages, tail(r.out.String()))
}

// crashReport is what the fakes and the database say of a run.
type crashReport struct {
	acked, once, toldUnconfirmed, toldRefused, lost, duplicates int
}

// check counts, for every acknowledged command, how often its text reached
// the customer and what the agent was told, and fails the test on a
// duplicate or a silent loss.
func (r *crashRig) check(acked []bool) crashReport {
	r.t.Helper()
	delivered := map[string]int{} // by address
	for _, q := range r.tg.Requests() {
		if strings.HasSuffix(q.Path, "/sendMessage") {
			delivered[q.Params["chat_id"]]++
		}
	}
	for _, q := range r.tw.Requests() {
		if q.Method == http.MethodPost && strings.HasSuffix(q.Path, "/Messages.json") {
			delivered[q.Form.Get("To")]++
		}
	}
	keys := map[string]map[string]bool{} // LINE: one delivery per retry key
	for _, q := range r.ln.Requests() {
		to, _ := q.JSON["to"].(string)
		if keys[to] == nil {
			keys[to] = map[string]bool{}
		}
		keys[to][q.Header.Get("X-Line-Retry-Key")] = true
	}
	for to, ks := range keys {
		delivered[to] = len(ks)
	}
	ctx := context.Background()
	var rep crashReport
	for i, cc := range r.contacts {
		if !acked[i] {
			continue
		}
		rep.acked++
		ns, err := r.st.Notifications(ctx, cc.id, 20)
		if err != nil {
			r.t.Fatal(err)
		}
		told := map[string]bool{}
		for _, n := range ns {
			told[string(n.Kind)] = true
		}
		r.mu.Lock()
		answers := strings.Join(r.answers[i], "\n")
		r.mu.Unlock()
		unconfirmed := told["unconfirmed"] || strings.Contains(answers, "may not have been sent")
		refused := told["refused"] || told["delivery_failed"] || strings.Contains(answers, "🚫")
		switch n := delivered[cc.address]; {
		case n > 1:
			rep.duplicates++
			r.t.Errorf("%s %s received %q %d times", cc.channel, cc.address, cc.text, n)
		case n == 1 && !unconfirmed:
			rep.once++
		case unconfirmed:
			rep.toldUnconfirmed++
		case refused:
			rep.toldRefused++
		default:
			rep.lost++
			msgs, _ := r.st.Messages(ctx, cc.id, 5)
			r.t.Errorf("acknowledged send %d (%s %s) never reached the customer and the agent was not told; answers %q, messages %+v", i, cc.channel, cc.address, answers, msgs)
		}
	}
	return rep
}

// TestCrashKill9DuringBurst: 200 follow-ups through signed Slack commands
// (Telegram, SMS, LINE), `followup dev` killed with SIGKILL three times
// during the burst, one of them while sends are in flight at the
// providers (each holds its answer back), and started again.
func TestCrashKill9DuringBurst(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("kills and restarts followup dev")
	}
	n := 200
	r := newCrashRig(t, n, 300*time.Millisecond)
	kills := []int{20 + rand.IntN(30), 80 + rand.IntN(30), 140 + rand.IntN(30)}
	var mu sync.Mutex
	killed, inFlight := 0, 0
	start := time.Now()
	acked := r.burst(16, func(k int) {
		mu.Lock()
		defer mu.Unlock()
		if killed < len(kills) && k >= kills[killed] {
			killed++
			r.up.Lock()
			defer r.up.Unlock()
			if killed == 2 {
				// While sends are in flight at the providers.
				for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
					if n, _ := r.st.CountUnresolved(context.Background()); n > 0 {
						inFlight = n
						break
					}
				}
			}
			r.dev.kill()
			time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
			r.restart()
		}
	})
	r.settle(2 * time.Minute)
	rep := r.check(acked)
	t.Logf("kill -9 ×%d during a burst of %d in %s (%d sends in flight at the second): %d acknowledged; delivered once %d, told unconfirmed %d, told refused %d, lost %d, duplicates %d",
		killed, n, time.Since(start).Round(time.Second), inFlight, rep.acked, rep.once, rep.toldUnconfirmed, rep.toldRefused, rep.lost, rep.duplicates)
	if inFlight == 0 {
		t.Error("no send was in flight when the process was killed the second time")
	}
	if killed < 3 {
		t.Fatalf("killed %d times, want 3", killed)
	}
}

// TestCrashDatabaseCutDuringBurst: while sends are in flight at providers
// that take a second to answer, the database's connections are
// terminated again and again (pg_terminate_backend), and then it refuses
// every connection for 12 s, longer than a send waits to record what the
// provider accepted. Nothing may be sent twice; everything acknowledged
// settles once the database is back.
func TestCrashDatabaseCutDuringBurst(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts followup dev")
	}
	n := 60
	r := newCrashRig(t, n, time.Second)
	terminated, inFlight := 0, 0
	start := time.Now()
	acked := r.burst(30, func(k int) {
		switch k {
		case 20:
			go func() {
				for range 5 {
					time.Sleep(150 * time.Millisecond)
					terminated += pgtest.Terminate(t, r.c.env["DATABASE_URL"])
				}
			}()
		}
	})
	// The last sends are at the providers now.
	for deadline := time.Now().Add(3 * time.Second); inFlight < n/4 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		inFlight, _ = r.st.CountUnresolved(context.Background())
	}
	end := pgtest.Outage(t, r.c.env["DATABASE_URL"])
	time.Sleep(12 * time.Second)
	end()
	r.settle(2 * time.Minute)
	rep := r.check(acked)
	if os.Getenv("CRASH_DEBUG") != "" {
		fmt.Println(r.out.String())
	}
	t.Logf("%d connections terminated, then a 12 s outage with %d sends in flight, during a burst of %d (%s): %d acknowledged; delivered once %d, told unconfirmed %d, told refused %d, lost %d, duplicates %d",
		terminated, inFlight, n, time.Since(start).Round(time.Second), rep.acked, rep.once, rep.toldUnconfirmed, rep.toldRefused, rep.lost, rep.duplicates)
	if rep.acked < n {
		t.Errorf("%d of %d commands acknowledged: the database was up while they were sent", rep.acked, n)
	}
	if inFlight == 0 {
		t.Error("no send was in flight when the database went away")
	}
}

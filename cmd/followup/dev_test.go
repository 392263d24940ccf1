package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/followup-dev/followup/channels/telegram/telegramtest"
)

// syncBuffer is a bytes.Buffer safe for the dev command's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// nextPort hands out the ports these tests listen on, from below the
// kernel's ephemeral range (32768–60999 on Linux): a port the kernel gives
// another test binary's server (bind to port 0) is never one of ours, and
// ours never repeat within this binary.
var nextPort atomic.Int64

func freePort(t *testing.T) int {
	t.Helper()
	nextPort.CompareAndSwap(0, int64(20000+os.Getpid()%4000*3))
	for range 200 {
		p := int(nextPort.Add(1))
		if p >= 32768 {
			nextPort.Store(20000)
			continue
		}
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue // taken by someone else
		}
		l.Close()
		return p
	}
	t.Fatal("no free port below the ephemeral range")
	return 0
}

// TestMain lets a test start the real program as a child process: the
// test binary re-executes itself with FOLLOWUP_TEST_MAIN set.
func TestMain(m *testing.M) {
	if os.Getenv("FOLLOWUP_TEST_MAIN") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// startDev runs `followup dev` as its own process (as a user would), without
// the Web UI, whose default port the tests running at once would share,
// and waits until it is ready; stop interrupts it like Ctrl-C. out is what
// it printed. *port is the Temporal port to ask for; when the start fails
// because a port was taken (the embedded server picks its other ports a
// moment before it binds them, and with a fixed --temporal-port it cannot
// retry by itself: devserver's freePort), it is tried again on a new port,
// which *port then holds.
func startDev(t *testing.T, c *cli, port *int) (stop func(), out *syncBuffer) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		stop, out, failed := tryStartDev(t, c, "--temporal-port", strconv.Itoa(*port), "--no-ui")
		if failed == "" {
			return stop, out
		}
		if attempt == 3 || !strings.Contains(failed, "is already in use") {
			t.Fatalf("followup dev exited:\n%s", failed)
		}
		t.Logf("followup dev met a taken port; trying another:\n%s", failed)
		*port = freePort(t)
	}
}

// startDevArgs is startDev with the dev command's flags given.
func startDevArgs(t *testing.T, c *cli, flags ...string) (stop func(), out *syncBuffer) {
	t.Helper()
	stop, out, failed := tryStartDev(t, c, flags...)
	if failed != "" {
		t.Fatalf("followup dev exited:\n%s", failed)
	}
	return stop, out
}

// tryStartDev starts `followup dev` with flags and waits until it is
// ready; failed is its output when it exited instead.
func tryStartDev(t *testing.T, c *cli, flags ...string) (stop func(), out *syncBuffer, failed string) {
	t.Helper()
	out = new(syncBuffer)
	cmd := exec.Command(os.Args[0], append([]string{"dev"}, flags...)...)
	cmd.Env = []string{"FOLLOWUP_TEST_MAIN=1", "HTTP_ADDR=127.0.0.1:0", "FOLLOWUP_DEBUG=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range c.env {
		if k != "TEMPORAL_ADDRESS" { // dev embeds its own
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(out.String(), "followup dev is running") {
		select {
		case err := <-done:
			return nil, out, fmt.Sprintf("(%v)\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("followup dev not ready:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("followup dev exited with %v:\n%s", err, out.String())
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("followup dev did not stop on interrupt")
		}
	}
	t.Cleanup(stop)
	return stop, out, ""
}

// TestDevEndToEnd runs `followup dev` and drives the demo workspace from the
// CLI as a newcomer would: every channel shows the right mode or refusal,
// and a restart of dev loses nothing.
func TestDevEndToEnd(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	c := newCLI(t)
	port := freePort(t)
	// followup reply posts to HTTP_ADDR: the CLI and dev share it.
	c.env["HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(freePort(t))
	stop, _ := startDev(t, c, &port)
	c.env["TEMPORAL_ADDRESS"] = "127.0.0.1:" + strconv.Itoa(port)

	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"send", "jane.doe@demo.followup.dev", "Your refund has landed"}, 0, "WhatsApp as free text"},
		{[]string{"send", "carlos.ruiz@demo.followup.dev", "--via", "whatsapp", "Hi"}, 1, "approved template"},
		{[]string{"template", "carlos.ruiz@demo.followup.dev", "order_update", "1=Carlos"}, 1, "parameter"},
		{[]string{"template", "carlos.ruiz@demo.followup.dev", "spring_promo"}, 1, "approval"},
		{[]string{"template", "carlos.ruiz@demo.followup.dev", "order_update", "2=A-17", "1=Carlos"}, 0, "approved template"},
		{[]string{"send", "mia.chen@demo.followup.dev", "--via", "messenger", "A person wrote this"}, 0, "HUMAN_AGENT"},
		{[]string{"send", "tom.becker@demo.followup.dev", "No tag"}, 1, "tag"},
		{[]string{"send", "tom.becker@demo.followup.dev", "--tag", "POST_PURCHASE_UPDATE", "Shipped"}, 0, "POST_PURCHASE_UPDATE"},
		{[]string{"send", "Aiko Sato", "--via", "instagram", "hi"}, 1, "LINE"},
		{[]string{"send", "Aiko Sato", "--via", "line", "hi"}, 0, "LINE as free text"},
		{[]string{"send", "olga.petrova@demo.followup.dev", "Hello"}, 0, "chatbot-initiated"},
		{[]string{"send", "wei.zhang@demo.followup.dev", "Hello"}, 0, "WeChat as free text"},
		{[]string{"send", "lukas.mueller@demo.followup.dev", "--via", "wechat", "Hello"}, 1, "WeChat"},
		{[]string{"send", "zoe.martin@demo.followup.dev", "--via", "email", "Hello"}, 0, "Email as free text"},
		{[]string{"send", "zoe.martin@demo.followup.dev", "--via", "sms", "Hello"}, 0, "SMS as free text"},
		{[]string{"later", "Liam Murphy", "--via", "telegram", "1h", "Checking in"}, 0, "Scheduled"},
		{[]string{"send", "jane.doe@demo.followup.dev", "--tag", "BOGUS", "x"}, 2, "unknown message tag"},
		{[]string{"later", "Liam Murphy", "yesterday", "x"}, 2, "when"},
		{[]string{"send", "nobody@nowhere.example", "x"}, 1, "no contact matches"},
	}
	for _, tc := range cases {
		code, out, errs := c.run("", tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("followup %s: exit %d %q; want exit %d and %q", strings.Join(tc.args, " "), code, out+errs, tc.code, tc.want)
		}
	}
	var box []map[string]any
	if err := json.Unmarshal([]byte(c.ok("outbox", "--json", "--limit", "100")), &box); err != nil {
		t.Fatal(err)
	}
	if len(box) != 9 {
		t.Errorf("outbox has %d messages, want 9", len(box))
	}
	// Jane's conversation is open and assigned to the sender.
	if out := c.ok("contacts", "find", "jane doe", "--open"); !strings.Contains(out, "Jane Doe") {
		t.Errorf("jane not open: %s", out)
	}

	// Restart: the scheduled follow-up survives.
	stop()
	startDev(t, c, &port)
	out := c.ok("status", "Liam Murphy", "--json")
	var states []map[string]any
	if err := json.Unmarshal([]byte(out), &states); err != nil || len(states) != 1 {
		t.Fatalf("status after restart: %s %v", out, err)
	}
	if sch, _ := states[0]["Scheduled"].([]any); len(sch) != 1 {
		t.Fatalf("scheduled send lost across a restart: %s", out)
	}
	if out := c.ok("reply", "Liam Murphy", "telegram", "solved, thanks"); !strings.Contains(out, "Liam Murphy wrote on Telegram (webhook 200 in") || !strings.Contains(out, "running follow-up was told") {
		t.Fatalf("reply: %s", out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out := c.ok("notifications", "--contact", "Liam Murphy")
		if strings.Contains(out, "scheduled follow-up(s) were cancelled") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reply notification: %s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out := c.ok("cancel", "Liam Murphy"); !strings.Contains(out, "cancelled the Telegram follow-up") {
		t.Fatalf("cancel: %s", out)
	}
	if out := c.ok("close", "jane.doe@demo.followup.dev"); !strings.Contains(out, "closed the conversation") {
		t.Fatalf("close: %s", out)
	}
}

func TestServeHealthAndMetrics(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	port := freePort(t)
	env := map[string]string{"DATABASE_URL": c.env["DATABASE_URL"], "HTTP_ADDR": "127.0.0.1:" + strconv.Itoa(port)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out syncBuffer
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &out)
	}()
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	var body string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not up: %v\n%s", err, out.String())
		}
	}
	if body != "ok\n" {
		t.Fatalf("healthz: %q", body)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "go_goroutines") {
		t.Fatalf("metrics: %.200s", b)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d: %s", code, out.String())
	}
}

// TestDevWithTelegramAdapter points `followup dev` at the Telegram fake:
// a follow-up goes out through the real adapter, a blocked customer ends in
// the right outcome, and a signed webhook from the fake reaches the running
// follow-up while a forged one changes nothing.
func TestDevWithTelegramAdapter(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	tg := telegramtest.New()
	defer tg.Close()
	c := newCLI(t)
	httpPort, port := freePort(t), freePort(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(httpPort)
	c.env["TELEGRAM_API_URL"] = tg.URL()
	c.env["TELEGRAM_BOT_TOKEN"] = telegramtest.Token
	c.env["TELEGRAM_WEBHOOK_SECRET"] = telegramtest.Secret
	startDev(t, c, &port)
	c.env["TEMPORAL_ADDRESS"] = "127.0.0.1:" + strconv.Itoa(port)

	code, out, errs := c.run("first_name,last_name,email,channel,external_id\nAda,Lovelace,ada@example.com,telegram,4242\nBob,Blocked,bob@example.com,telegram,4243\n", "contacts", "import", "-")
	if code != 0 {
		t.Fatalf("import: %s %s", out, errs)
	}
	if out := c.ok("send", "ada@example.com", "--via", "telegram", "Your refund has landed"); !strings.Contains(out, "Telegram as free text") {
		t.Fatalf("send: %s", out)
	}
	reqs := tg.Requests()
	if len(reqs) != 1 || reqs[0].Params["chat_id"] != "4242" || reqs[0].Params["text"] != "Your refund has landed" {
		t.Fatalf("the fake received %+v", reqs)
	}
	tg.FailFor("4243", telegramtest.Blocked)
	if code, out, errs := c.run("", "send", "bob@example.com", "--via", "telegram", "Hi"); code != 1 || !strings.Contains(out+errs, "cannot be reached") {
		t.Fatalf("blocked recipient: %d %s %s", code, out, errs)
	}

	hook := "http://127.0.0.1:" + strconv.Itoa(httpPort) + "/webhooks/telegram"
	forged := tg.SignedMessage(hook, telegramtest.Inbound{ChatID: 4242, FirstName: "Ada", Text: "forged"})
	forged.Header.Set("X-Telegram-Bot-Api-Secret-Token", "wrong")
	if resp, err := http.DefaultClient.Do(forged); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged webhook: %v %v", resp, err)
	}
	resp, err := http.DefaultClient.Do(tg.SignedMessage(hook, telegramtest.Inbound{ChatID: 4242, FirstName: "Ada", Text: "thanks, got it!"}))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("signed webhook: %v %v", resp, err)
	}
	resp.Body.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		out := c.ok("notifications", "--contact", "ada@example.com")
		if strings.Contains(out, "thanks, got it!") {
			if strings.Contains(out, "forged") {
				t.Fatal("the forged webhook reached the follow-up")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reply did not reach the follow-up: %s", out)
		}
	}
}

// TestDevSlashCommands drives `followup dev`'s local Slack workspace with
// `followup slash`, which signs and posts commands as Slack does.
func TestDevSlashCommands(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts Temporal")
	}
	c := newCLI(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:" + strconv.Itoa(freePort(t))
	c.env["FOLLOWUP_DATA_DIR"] = t.TempDir()
	startDev(t, c, new(freePort(t)))

	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"slash", "help"}, 0, []string{"/followup later <contact> <when> <text>"}},
		{[]string{"slash", "find jane"}, 0, []string{"Jane Doe", "WhatsApp: free text until", "[Follow up #"}},
		{[]string{"slash", "template carlos.ruiz@demo.followup.dev order_update 1=Carlos 2=A-17"}, 0, []string{"approved template"}},
		{[]string{"slash", `later "Liam Murphy" 2h "Checking in"`}, 0, []string{"🕒 ", "with Liam Murphy: Scheduled for"}},
		{[]string{"slash", `status "Liam Murphy"`}, 0, []string{"follow-up", "🕒 #"}},
		{[]string{"slash", `cancel "Liam Murphy"`}, 0, []string{"Cancelled the", "1 scheduled message(s) dropped"}},
		{[]string{"slash", "close carlos.ruiz@demo.followup.dev"}, 0, []string{"Closed the conversation with Carlos Ruiz", "WhatsApp follow-up has ended"}},
		{[]string{"slash", "send carlos.ruiz@demo.followup.dev --via whatsapp Hi"}, 0, []string{"🚫", "approved template"}},
		{[]string{"slash", "send wei.zhang@demo.followup.dev Hello from Slack"}, 0, []string{"WeChat as free text"}},
		{[]string{"slash", "status wei.zhang@demo.followup.dev"}, 0, []string{"WeChat follow-up", "U0DEMOANN"}},
		{[]string{"slash", "--user", "U0NOBODY", "find jane"}, 0, []string{"not registered", "followup agents add --slack-user U0NOBODY"}},
		{[]string{"slash", "vip"}, 0, []string{"for supervisors"}},
		{[]string{"slash", "frobnicate"}, 0, []string{"not a /followup command"}},
	} {
		code, out, errs := c.run("", tc.args...)
		if code != tc.code {
			t.Errorf("followup %q: exit %d\n%s%s", tc.args, code, out, errs)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("followup %q: missing %q in\n%s", tc.args, w, out)
			}
		}
	}
	// The supervisor sees the VIP follow-up once visibility has it.
	deadline := time.Now().Add(20 * time.Second)
	for {
		out := c.ok("slash", "--user", "U0DEMOSAM", "vip")
		if strings.Contains(out, "Wei Zhang") && strings.Contains(out, "WeChat") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("vip never listed Wei Zhang:\n%s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// A command signed with another secret is refused and sends nothing.
	c.env["SLACK_SIGNING_SECRET"] = "not-the-dev-secret"
	code, out, errs := c.run("", "slash", "send jane.doe@demo.followup.dev forged")
	if code != 1 || !strings.Contains(out+errs, "401") {
		t.Errorf("forged slash: exit %d %s%s", code, out, errs)
	}
	delete(c.env, "SLACK_SIGNING_SECRET")
	var box []map[string]any
	if err := json.Unmarshal([]byte(c.ok("outbox", "--json")), &box); err != nil {
		t.Fatal(err)
	}
	if len(box) != 2 || box[0]["channel"] != "wechat" || box[1]["template"] != "order_update" {
		t.Errorf("outbox %v: want Carlos's template, then the WeChat message", box)
	}
}

package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/whatsapp"
	"github.com/followup-dev/followup/channels/whatsapp/whatsapptest"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/worker"
	"github.com/followup-dev/followup/workflows"
)

// One Temporal test server for the package (it takes ~1.5 s to start);
// each test uses its own task queue and database.
var temporal *temporaltest.TestServer

func TestMain(m *testing.M) {
	if os.Getenv("FOLLOWUP_SKIP_TEMPORAL") == "" {
		temporal = temporaltest.NewServer()
		c := temporal.GetDefaultClient()
		if _, err := c.OperatorService().AddSearchAttributes(context.Background(), &operatorservice.AddSearchAttributesRequest{
			Namespace: temporal.GetDefaultNamespace(), SearchAttributes: workflows.SearchAttributeTypes(),
		}); err != nil {
			fmt.Fprintln(os.Stderr, "search attributes:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	if temporal != nil {
		temporal.Stop()
	}
	os.Exit(code)
}

const (
	secret  = "test-signing-secret"
	teamID  = "T0TEAM"
	annID   = "U0ANN"
	samID   = "U0SAM"
	janeTel = "+14155550142"
)

// recorded is one Web API call Slack received.
type recorded struct {
	Method string
	Form   url.Values     // chat.postMessage (form-encoded)
	JSON   map[string]any // views.open, views.publish (JSON)
}

// fakeSlack is slacktest's server with routes for views.open and
// views.publish and a chat.postMessage that records what it got, plus a
// receiver for response_url posts.
type fakeSlack struct {
	srv     *slacktest.Server
	respond *httptest.Server
	mu      sync.Mutex
	calls   []recorded
	answers []map[string]any  // posts to response_url
	locales map[string]string // users.info's locale by user; en-US for others
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{}
	record := func(method string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			rec := recorded{Method: method}
			if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				_ = json.Unmarshal(body, &rec.JSON)
			} else {
				rec.Form, _ = url.ParseQuery(string(body))
			}
			if r.Header.Get("Authorization") != "Bearer xoxb-test" && rec.Form.Get("token") != "xoxb-test" {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
				return
			}
			f.mu.Lock()
			f.calls = append(f.calls, rec)
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			switch method {
			case "chat.postMessage":
				fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"%d.000100"}`, rec.Form.Get("channel"), time.Now().Unix())
			default:
				fmt.Fprint(w, `{"ok":true,"view":{"id":"V123","hash":"h1"}}`)
			}
		}
	}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/users.info", f.usersInfo)
		c.Handle("/chat.postMessage", record("chat.postMessage"))
		c.Handle("/views.open", record("views.open"))
		c.Handle("/views.publish", record("views.publish"))
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	f.respond = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.answers = append(f.answers, m)
		f.mu.Unlock()
	}))
	t.Cleanup(f.respond.Close)
	return f
}

// usersInfo answers users.info as Slack does (slacktest's user: Los
// Angeles), with the locale setLocale gave the user, when asked for it.
func (f *fakeSlack) usersInfo(w http.ResponseWriter, r *http.Request) {
	user := r.FormValue("user")
	f.mu.Lock()
	locale, ok := f.locales[user]
	f.mu.Unlock()
	if !ok {
		locale = "en-US"
	}
	u := map[string]any{"id": user, "tz": "America/Los_Angeles", "tz_label": "Pacific Daylight Time", "tz_offset": -25200}
	if r.FormValue("include_locale") == "true" {
		u["locale"] = locale
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "user": u})
}

// setLocale makes users.info say that user reads Slack in locale (ru-RU).
func (f *fakeSlack) setLocale(user, locale string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.locales == nil {
		f.locales = map[string]string{}
	}
	f.locales[user] = locale
}

func (f *fakeSlack) client() *slack.Client {
	return slack.New("xoxb-test", slack.OptionAPIURL(f.srv.GetAPIURL()))
}

func (f *fakeSlack) Calls(method string) []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recorded
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSlack) Answers() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.answers...)
}

// env is one test's product: a database with agents and contacts, a
// worker on its own task queue sending to a fake WhatsApp, the bot over
// HTTP, and the fake Slack.
type env struct {
	t        testing.TB
	ctx      context.Context
	st       *store.Store
	url      string // the database's
	slack    *fakeSlack
	wa       *whatsapptest.Server
	bot      *bot.Bot
	http     *httptest.Server
	jane     int64
	carlos   int64
	fc       *workflows.Client
	ann, sam followup.Agent
}

func newEnv(t testing.TB, opts ...func(*bot.Config)) *env {
	t.Helper()
	if temporal == nil {
		t.Skip("FOLLOWUP_SKIP_TEMPORAL is set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	url := pgtest.New(t)
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	// Workflow ids are made of contact ids, and every test shares one
	// Temporal namespace: give each test's contacts ids of their own, so no
	// test joins a follow-up another test left waiting on a timer.
	if _, err := st.DB().ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('contacts', 'id'), $1)`, envSeq.Add(1)*1_000_000); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, st: st, url: url, slack: newFakeSlack(t), wa: whatsapptest.New()}
	t.Cleanup(e.wa.Close)
	if e.ann, _, err = st.SaveAgent(ctx, followup.Agent{SlackUserID: annID, Name: "Ann", Role: followup.RoleAgent}); err != nil {
		t.Fatal(err)
	}
	if e.sam, _, err = st.SaveAgent(ctx, followup.Agent{SlackUserID: samID, Name: "Sam", Role: followup.RoleSupervisor}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	twoHours, thirtyHours := now.Add(-2*time.Hour), now.Add(-30*time.Hour)
	vip := true
	if e.jane, _, err = st.SaveContact(ctx, store.ContactInput{FirstName: "Jane", LastName: "Doe", Email: "jane.doe@example.com", Phone: janeTel,
		VIP: &vip, Channel: followup.WhatsApp, LastInboundAt: &twoHours}); err != nil {
		t.Fatal(err)
	}
	if e.carlos, _, err = st.SaveContact(ctx, store.ContactInput{FirstName: "Carlos", LastName: "Ruiz", Email: "carlos@example.com", Phone: "+34612345678",
		Channel: followup.WhatsApp, LastInboundAt: &thirtyHours}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Janet Dolan", "Janet Dobbs"} {
		first, last, _ := strings.Cut(name, " ")
		if _, _, err := st.SaveContact(ctx, store.ContactInput{FirstName: first, LastName: last, Email: strings.ToLower(first+"."+last) + "@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.SaveTemplate(ctx, followup.Template{Channel: followup.WhatsApp, Name: "order_update", Language: "en", Status: followup.TemplateApproved, ParamCount: 2, Body: "Hi {{1}}, order {{2}} shipped."}); err != nil {
		t.Fatal(err)
	}
	e.wa.Template("order_update", "en", 2)

	api := e.slack.client()
	queue := "q-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	c := temporal.GetDefaultClient()
	wa, err := whatsapp.New(whatsapp.Config{BaseURL: e.wa.URL(), Token: whatsapptest.Token, PhoneNumberID: whatsapptest.PhoneNumberID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	acts := activities.New(st, map[followup.Channel]channels.Sender{followup.WhatsApp: wa}, bot.NewNotifier(st, api, "C0SUPERVISORS", time.Now, nil))
	w := worker.New(c, queue, acts, sdkworker.Options{})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	e.fc = workflows.NewClient(c, queue)
	cfg := bot.Config{TeamID: teamID, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, o := range opts {
		o(&cfg)
	}
	e.bot = bot.New(st, actions.New(st, e.fc, time.Now), api, cfg)
	v, err := bot.NewVerifier(secret, st)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.bot.Register(mux, v)
	e.http = httptest.NewServer(mux)
	t.Cleanup(e.http.Close)
	t.Cleanup(e.bot.Wait)
	return e
}

// unreachableTemporal is a follow-up client whose server does not answer.
func unreachableTemporal(t *testing.T) *workflows.Client {
	c, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return workflows.NewClient(c, "nowhere")
}

// signed builds a request to path signed with key at time at.
func signed(target, key, contentType, body string, at time.Time) *http.Request {
	r, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	r.Header.Set("Content-Type", contentType)
	r.Header.Set(bot.HeaderTimestamp, ts)
	r.Header.Set(bot.HeaderSignature, bot.Sign(key, ts, []byte(body)))
	return r
}

var triggerSeq, envSeq atomic.Int64

// commandForm is what Slack posts for `/followup text` by user.
func (e *env) commandForm(user, text string) string {
	return url.Values{
		"token": {"deprecated"}, "team_id": {teamID}, "team_domain": {"acme"}, "channel_id": {"C0SUPPORT"},
		"channel_name": {"support"}, "user_id": {user}, "user_name": {"someone"}, "command": {"/followup"},
		"text": {text}, "api_app_id": {"A0APP"}, "response_url": {e.slack.respond.URL + "/commands/1"},
		"trigger_id": {"13345224609.738474920." + strconv.FormatInt(triggerSeq.Add(1), 10)},
	}.Encode()
}

// command posts a signed slash command and returns the HTTP answer.
func (e *env) command(user, text string) (int, map[string]any) {
	e.t.Helper()
	return e.post(signed(e.http.URL+"/slack/commands", secret, "application/x-www-form-urlencoded", e.commandForm(user, text), time.Now()))
}

func (e *env) post(r *http.Request) (int, map[string]any) {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &m); err != nil {
			e.t.Fatalf("answer %s: %v", body, err)
		}
	}
	return resp.StatusCode, m
}

// interact posts a signed interaction payload.
func (e *env) interact(payload any) (int, map[string]any) {
	e.t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		e.t.Fatal(err)
	}
	body := url.Values{"payload": {string(b)}}.Encode()
	return e.post(signed(e.http.URL+"/slack/interactivity", secret, "application/x-www-form-urlencoded", body, time.Now()))
}

// text is everything a Slack message answer says, blocks included.
func text(m any) string {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m)
	return sb.String()
}

// eventually retries f until it returns true or 20 s pass.
func eventually(t testing.TB, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

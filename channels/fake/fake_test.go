package fake_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup/channels/fake"
)

type server struct {
	fake.Provider[string]
	fake.Script[int]
}

func TestProviderAndScript(t *testing.T) {
	s := &server{}
	s.Start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Record(r.URL.Path + " " + fake.Bearer(r) + " " + string(fake.Body(r, 4)))
		if o, ok := s.Next(r.URL.Path); ok {
			fake.JSON(w, o, map[string]int{"failed": o})
			return
		}
		fake.JSON(w, http.StatusOK, map[string]bool{"ok": true})
	}))
	defer s.Close()
	s.FailOnce("/once", http.StatusServiceUnavailable)
	s.FailFor("/always", http.StatusForbidden)
	send := func(path string) (int, string) {
		r := fake.Post(s.URL()+path, []byte("hello"), "Authorization", "Bearer tok", "Content-Type", "text/plain")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
		}
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	for _, tt := range []struct {
		path   string
		status int
	}{{"/once", 503}, {"/once", 200}, {"/always", 403}, {"/always", 403}, {"/other", 200}} {
		if status, body := send(tt.path); status != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.path, status, body, tt.status)
		}
	}
	if log := s.Requests(); len(log) != 5 || log[0] != "/once tok hell" || s.Received() != 5 {
		t.Errorf("log = %q", log)
	}
}

func TestLog(t *testing.T) {
	var l fake.Log[string]
	if n := l.Append("a"); n != 1 {
		t.Errorf("Append = %d", n)
	}
	if e := l.Numbered(func(n int) string { return fmt.Sprint("id-", n) }); e != "id-2" {
		t.Errorf("Numbered = %q", e)
	}
	all := l.All()
	all[0] = "changed"
	if got := l.All(); l.Len() != 2 || got[0] != "a" || got[1] != "id-2" {
		t.Errorf("All = %q", got)
	}
}

func TestSetting(t *testing.T) {
	var s fake.Setting[int]
	if s.Get() != 0 {
		t.Error("an unset Setting is not the zero value")
	}
	s.Set(7)
	if s.Get() != 7 {
		t.Errorf("Get = %d after Set(7)", s.Get())
	}
}

func TestWindow(t *testing.T) {
	var w fake.Window
	if _, ok := w.Since("ada"); ok {
		t.Error("a customer the fake never heard of has a window")
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w.LastInbound("ada", now.Add(-25*time.Hour))
	w.SetNow(func() time.Time { return now })
	if d, ok := w.Since("ada"); !ok || d != 25*time.Hour {
		t.Errorf("Since = %s, %v", d, ok)
	}
}

func TestBearer(t *testing.T) {
	for h, want := range map[string]string{"Bearer t": "t", "Basic t": "", "": "", "Bearer ": ""} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		if h != "" {
			r.Header.Set("Authorization", h)
		}
		if got := fake.Bearer(r); got != want {
			t.Errorf("Bearer(%q) = %q, want %q", h, got, want)
		}
	}
}

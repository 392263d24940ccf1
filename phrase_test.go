package followup_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/followup-dev/followup"
)

func TestPhraseEnglishAndJSON(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 48, 0, 0, time.FixedZone("X", 3600))
	inner := followup.Say("closes at %s", at)
	p := followup.Say("%s window with %s: %d message(s), in %s; %s. %s", followup.Term("WhatsApp"), "Jane Doe", 3, 90*time.Minute, inner, 2.5)
	want := "WhatsApp window with Jane Doe: 3 message(s), in 1h30m; closes at Dec 1 08:48 UTC. 2.5"
	if got := p.String(); got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back followup.Phrase
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got := back.String(); got != want {
		t.Fatalf("after JSON: %q, want %q (%s)", got, want, b)
	}
	v, err := p.Value()
	if err != nil {
		t.Fatal(err)
	}
	var scanned followup.Phrase
	if err := scanned.Scan([]byte(v.(string))); err != nil || scanned.String() != want {
		t.Fatalf("Scan: %v, %q", err, scanned.String())
	}
	if err := scanned.Scan(42); err == nil {
		t.Fatal("Scan(42) read an int as a phrase")
	}
}

func TestPhraseThen(t *testing.T) {
	var p followup.Phrase
	if !p.IsZero() {
		t.Fatal("zero phrase is not zero")
	}
	p = p.Then(followup.Say("One.")).Then(followup.Say("Two %d.", 2))
	if got := p.String(); got != "One. Two 2." {
		t.Fatalf("got %q", got)
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second: "30s", 45 * time.Minute: "45m", 2 * time.Hour: "2h",
		90*time.Minute + 20*time.Second: "1h30m", 49 * time.Hour: "49h",
	} {
		if got := followup.ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// FuzzPhraseScan: whatever a notifications.phrase column holds, reading it
// never panics, and a phrase read back writes and reads the same.
func FuzzPhraseScan(f *testing.F) {
	f.Add([]byte(`{"format":"Sent to %s on %s as %s.","args":[{"s":"Jane"},{"x":"WhatsApp"},{"p":{"format":"free text"}}]}`))
	f.Add([]byte(`{"format":"%d of %s at %s in %s","args":[{"n":3},{"s":"x"},{"t":"2026-12-01T09:48:00Z"},{"d":5400000000000}]}`))
	f.Add([]byte(`{"format":"%s %s %s"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p followup.Phrase
		if err := p.Scan(b); err != nil {
			return
		}
		s := p.String() // never panics, whatever the verbs and arguments
		v, err := p.Value()
		if err != nil {
			t.Fatalf("Value of a phrase just read: %v", err)
		}
		var back followup.Phrase
		if err := back.Scan([]byte(v.(string))); err != nil || back.String() != s {
			t.Fatalf("round trip: %q → %q (%v)", s, back.String(), err)
		}
	})
}

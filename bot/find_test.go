package bot_test

import (
	"strings"
	"testing"
)

// TestFindAnyNamesNoStatus: a search over any status says so in words
// ("No contact matches"), not "No any contact matches".
func TestFindAnyNamesNoStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, a := e.command(annID, `find % --any`)
	if got := text(a); strings.Contains(got, "any contact") || !strings.Contains(got, "No contact matches") {
		t.Fatalf("answer: %s", got)
	}
	_, a = e.command(annID, `find jane --any`)
	if got := text(a); strings.Contains(got, "Any contacts") || !strings.Contains(got, "Contacts matching") {
		t.Fatalf("answer: %s", got)
	}
}

package bot

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeShowsTheHelp: the README's Slack section shows the commands
// as `/followup help` lists them, so a new row in the table of commands
// reaches it too.
func TestReadmeShowsTheHelp(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, slackSection, ok := strings.Cut(string(b), "\n## Slack\n")
	_, block, ok2 := strings.Cut(slackSection, "```\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("the README has no code block under ## Slack")
	}
	if want := strings.TrimSuffix(Help(), "\n"+helpFooter); strings.TrimSpace(block) != want {
		t.Errorf("the README's Slack block:\n%s\nthe help:\n%s", block, want)
	}
}

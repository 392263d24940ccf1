package slacksim

import (
	"testing"

	"github.com/slack-go/slack"
)

// TestRenderDates: Slack's date tokens show in the terminal as a client
// that cannot render them shows them, their UTC fallback, in a plain
// message and in blocks alike; mentions stay.
func TestRenderDates(t *testing.T) {
	t.Parallel()
	token := "<!date^1796081640^{date_short_pretty} {time}|Nov 30 23:34 UTC>"
	if got := Render(slack.Msg{Text: "Scheduled for " + token + "."}); got != "Scheduled for Nov 30 23:34 UTC.\n" {
		t.Errorf("text: %q", got)
	}
	m := slack.Msg{Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "until "+token+" &lt;@U0ANN&gt;", false, false), nil, nil)}}}
	if got := Render(m); got != "until Nov 30 23:34 UTC <@U0ANN>\n" {
		t.Errorf("blocks: %q", got)
	}
}

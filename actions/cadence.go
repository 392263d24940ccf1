package actions

import (
	"context"

	"github.com/followup-dev/followup/cadences"
	"github.com/followup-dev/followup/workflows"
)

// StartCadence starts the cadence c on the contact's channel t.Channel as
// by.Agent: its touches are scheduled from now, and a reply stops the
// rest. It is recorded in the audit log; requestID makes a retried
// request harmless.
func (s *Service) StartCadence(ctx context.Context, by Actor, t Target, c cadences.Cadence, requestID string) (workflows.SendOutcome, error) {
	return s.Send(ctx, by, t, workflows.SendRequest{Cadence: WorkflowCadence(c)}, requestID)
}

// WorkflowCadence is the cadence as the follow-up workflow takes it.
func WorkflowCadence(c cadences.Cadence) *workflows.Cadence {
	out := &workflows.Cadence{Name: c.Name, Touches: make([]workflows.Touch, len(c.Steps))}
	for i, st := range c.Steps {
		t := workflows.Touch{After: st.After, Text: st.Text, Tag: st.Tag, Template: templateRequest(st.Template)}
		if e := st.Else; e != nil {
			t.Else = &workflows.Fallback{Tag: e.Tag, Template: templateRequest(e.Template)}
		}
		out.Touches[i] = t
	}
	return out
}

// UsesTemplates says whether a step of the cadence sends a template (not
// as a fallback), so that without --via it goes to WhatsApp, where
// templates are.
func UsesTemplates(c cadences.Cadence) bool {
	for _, st := range c.Steps {
		if st.Template != nil {
			return true
		}
	}
	return false
}

func templateRequest(t *cadences.Template) *workflows.TemplateRequest {
	if t == nil {
		return nil
	}
	return &workflows.TemplateRequest{Name: t.Name, Params: append([]string(nil), t.Params...)}
}

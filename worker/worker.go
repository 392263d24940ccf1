// Package worker registers the follow-up and daily digest workflows and
// their activities on a task queue.
package worker

import (
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/workflows"
)

// New returns a worker for the task queue with everything registered; the
// caller starts and stops it.
func New(c client.Client, taskQueue string, acts *activities.Activities, opts sdkworker.Options) sdkworker.Worker {
	w := sdkworker.New(c, taskQueue, opts)
	w.RegisterWorkflowWithOptions(workflows.FollowUp, workflows.RegisterOptions())
	w.RegisterWorkflowWithOptions(workflows.Digest, workflows.DigestRegisterOptions())
	w.RegisterActivity(acts)
	return w
}

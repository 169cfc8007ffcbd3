package app

import (
	"github.com/relasi/relasi/internal/activities"
	"github.com/relasi/relasi/internal/deals"
	"github.com/relasi/relasi/internal/demo"
	"github.com/relasi/relasi/internal/leads"
	"github.com/relasi/relasi/internal/orders"
)

// DemoSteps are the modules' demo data beyond people, accounts and
// contacts, in the order they must run (deals need pipelines, activities
// need contacts and deals, …).
func DemoSteps() []demo.Step {
	return []demo.Step{leads.DemoStep(), deals.DemoStep(), activities.DemoStep(), orders.DemoStep()}
}

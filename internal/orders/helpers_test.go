package orders_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/relasi/relasi/internal/accounts"
	"github.com/relasi/relasi/internal/contacts"
	"github.com/relasi/relasi/internal/orders"
	"github.com/relasi/relasi/internal/records"
	"github.com/relasi/relasi/internal/records/recordstest"
	"github.com/relasi/relasi/internal/search"
	"github.com/relasi/relasi/internal/store"
	"github.com/relasi/relasi/internal/store/storetest"
)

// shop is an API serving accounts, contacts, products, orders and order
// lines on a fresh database.
type shop struct {
	*recordstest.Server
	Orders *records.Entity
}

func onEveryEngine(t *testing.T, fn func(t *testing.T, engine store.Engine)) {
	t.Helper()
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, engine)
		})
	}
}

func newShop(t testing.TB, engine store.Engine) *shop {
	t.Helper()
	s := &shop{Orders: orders.OrderEntity(engine)}
	s.Server = recordstest.New(t, engine, func(srv *recordstest.Server) {
		records.RegisterAPI(srv.Router, srv.Store, accounts.Entity(engine))
		records.RegisterAPI(srv.Router, srv.Store, contacts.Entity(engine))
		records.RegisterAPI(srv.Router, srv.Store, orders.ProductEntity(engine))
		records.RegisterAPI(srv.Router, srv.Store, s.Orders)
		orders.RegisterAPI(srv.Router, orders.NewLines(srv.Store, s.Orders))
		search.RegisterAPI(srv.Router, srv.DB)
	})
	return s
}

func (s *shop) create(t testing.TB, token, entity string, body map[string]any) map[string]any {
	t.Helper()
	return s.Do(t, token, "POST", "/api/v1/"+entity, body).Want(t, http.StatusCreated).Map(t)
}

func path(entity string, id any) string { return fmt.Sprintf("/api/v1/%s/%v", entity, id) }

// fieldErrors lists "field:code" of a problem response.
func fieldErrors(t testing.TB, res recordstest.Response) []string {
	t.Helper()
	var p struct {
		Errors []struct{ Field, Code string }
	}
	res.JSON(t, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field+":"+e.Code)
	}
	return out
}

// show prints a JSON value as the test reads it.
func show(v any) string { return fmt.Sprint(v) }

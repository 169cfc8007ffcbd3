package orders

import (
	"net/http"
	"strconv"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/httpx"
	"github.com/relasi/relasi/internal/records"
)

// RegisterAPI adds the order line endpoints (the orders and products
// themselves have the standard records API):
//
//	GET    /api/v1/orders/{id}/lines   the lines of an order
//	POST   /api/v1/orders/{id}/lines   add a line
//	PATCH  /api/v1/order-lines/{id}    change a line
//	DELETE /api/v1/order-lines/{id}    remove a line
func RegisterAPI(rt *api.Router, ls *Lines) {
	rt.Handle("GET /api/v1/orders/{id}/lines", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		lines, err := ls.List(r.Context(), p, id)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": lines})
		return nil
	})
	rt.Handle("POST /api/v1/orders/{id}/lines", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		body, err := httpx.DecodeObject(w, r)
		if err != nil {
			return err
		}
		line, err := ls.Add(r.Context(), p, id, body)
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/api/v1/order-lines/"+strconv.FormatInt(line.ID, 10))
		httpx.WriteJSON(w, http.StatusCreated, line)
		return nil
	})
	rt.Handle("PATCH /api/v1/order-lines/{id}", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		body, err := httpx.DecodeObject(w, r)
		if err != nil {
			return err
		}
		line, err := ls.Update(r.Context(), p, id, body)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, line)
		return nil
	})
	rt.Handle("DELETE /api/v1/order-lines/{id}", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := records.PathID(r)
		if err != nil {
			return err
		}
		if _, err := ls.Delete(r.Context(), p, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

// OpenAPI documents the order line endpoints.
var OpenAPI = []byte(`{
  "paths": {
    "/api/v1/orders/{id}/lines": {
      "get": {"operationId": "listOrderLines", "summary": "The lines of an order, in the order they were added", "tags": ["orders"],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "The lines", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderLineList"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}}},
      "post": {"operationId": "addOrderLine", "summary": "Add a line; the order's total follows", "tags": ["orders"],
        "description": "With a product_id, the description and unit price default to the product's (the price only when the product is priced in the order's currency).",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderLineInput"}}}},
        "responses": {"201": {"description": "Added", "headers": {"Location": {"description": "The line's URL.", "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderLine"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    },
    "/api/v1/order-lines/{id}": {
      "patch": {"operationId": "updateOrderLine", "summary": "Change the values sent; the order's total follows", "tags": ["orders"],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderLineInput"}}}},
        "responses": {"200": {"description": "Changed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderLine"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "422": {"$ref": "#/components/responses/Invalid"}}},
      "delete": {"operationId": "deleteOrderLine", "summary": "Remove a line; the order's total follows", "tags": ["orders"],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"204": {"description": "Removed"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}}}
    }
  },
  "components": {"schemas": {
    "OrderLine": {"type": "object", "additionalProperties": false,
      "required": ["id", "order_id", "product_id", "description", "quantity", "unit_price", "discount_percent", "line_total", "currency", "created_at", "updated_at"],
      "properties": {
        "id": {"type": "integer"}, "order_id": {"type": "integer"}, "product_id": {"type": ["integer", "null"]},
        "description": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1},
        "unit_price": {"type": "number", "description": "In major units of the order's currency."},
        "discount_percent": {"type": "number", "minimum": 0, "maximum": 100},
        "line_total": {"type": "number", "description": "quantity × unit_price less the discount, rounded half up to the currency's minor unit."},
        "currency": {"type": "string", "description": "The order's currency."},
        "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}},
    "OrderLineInput": {"type": "object", "additionalProperties": false,
      "properties": {
        "product_id": {"type": ["integer", "null"]}, "description": {"type": ["string", "null"], "maxLength": 500},
        "quantity": {"type": "integer", "minimum": 1, "maximum": 1000000},
        "unit_price": {"type": ["number", "string", "null"], "description": "In major units of the order's currency, e.g. 1500000 or \"1500000.50\"."},
        "discount_percent": {"type": ["number", "null"], "minimum": 0, "maximum": 100}}},
    "OrderLineList": {"type": "object", "additionalProperties": false, "required": ["items"],
      "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/OrderLine"}}}}
  }}
}`)

package notifications

import (
	"net/http"
	"strconv"

	"github.com/relasi/relasi/internal/api"
	"github.com/relasi/relasi/internal/auth"
	"github.com/relasi/relasi/internal/httpx"
)

// RegisterAPI adds the caller's inbox:
//
//	GET  /api/v1/notifications               unread first, then newest (?unread=true, limit, cursor)
//	POST /api/v1/notifications/{id}/read     mark one read
//	POST /api/v1/notifications/read-all      mark all read
func (s *Service) RegisterAPI(rt *api.Router) {
	rt.Handle("GET /api/v1/notifications", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		q := r.URL.Query()
		list, err := s.List(r.Context(), p, q.Get("unread") == "true", q)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, list)
		return nil
	})
	rt.Handle("POST /api/v1/notifications/{id}/read", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		id, err := pathID(r.PathValue("id"))
		if err != nil {
			return err
		}
		n, err := s.MarkRead(r.Context(), p, id)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, n)
		return nil
	})
	rt.Handle("POST /api/v1/notifications/read-all", func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		n, err := s.MarkAllRead(r.Context(), p)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]int64{"marked": n})
		return nil
	})
}

// OpenAPI documents the notification endpoints.
var OpenAPI = []byte(`{
  "paths": {
    "/api/v1/notifications": {
      "get": {"operationId": "listNotifications", "summary": "The caller's notifications, unread first, then newest first", "tags": ["notifications"],
        "parameters": [{"$ref": "#/components/parameters/Limit"}, {"$ref": "#/components/parameters/Cursor"},
          {"name": "unread", "in": "query", "schema": {"type": "boolean"}, "description": "Only notifications not read yet."}],
        "responses": {"200": {"description": "One page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NotificationList"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "422": {"$ref": "#/components/responses/Invalid"}}}
    },
    "/api/v1/notifications/{id}/read": {
      "post": {"operationId": "readNotification", "summary": "Mark a notification read", "tags": ["notifications"],
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"description": "The notification, read", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Notification"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/v1/notifications/read-all": {
      "post": {"operationId": "readAllNotifications", "summary": "Mark every notification of the caller read", "tags": ["notifications"],
        "responses": {"200": {"description": "How many were unread", "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["marked"], "properties": {"marked": {"type": "integer"}}}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}}}
    }
  },
  "components": {"schemas": {
    "Notification": {"type": "object", "additionalProperties": false, "required": ["id", "kind", "message", "link", "created_at", "read_at"],
      "properties": {"id": {"type": "integer"}, "kind": {"type": "string", "description": "What it is about, e.g. lead_overdue."},
        "message": {"type": "string"}, "link": {"type": "string", "description": "Path of the page it is about, or empty."},
        "created_at": {"type": "string", "format": "date-time"}, "read_at": {"type": ["string", "null"], "format": "date-time"}}},
    "NotificationList": {"type": "object", "additionalProperties": false, "required": ["items"],
      "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Notification"}}, "next_cursor": {"type": "string"}, "prev_cursor": {"type": "string", "description": "Cursor of the page before this one; pass it as before."}}}
  }}
}`)

// pathID reads the {id} of a path; anything but a positive number names
// no notification.
func pathID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, errNotFound
	}
	return id, nil
}

-- +goose Up
-- Round robin needs a team to deal within; without one it assigned
-- nothing while the settings said it would. Say what actually happens.
UPDATE lead_settings SET assignment_mode = 'none' WHERE assignment_mode = 'round_robin' AND default_team_id IS NULL;

-- +goose Down
SELECT 1;

"""Sign-in and roles: who may open the dashboard, and what a viewer, an editor and an admin may each do."""

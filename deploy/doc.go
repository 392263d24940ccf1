// Package deploy holds tests of the deployment files (docker-compose.yml, Dockerfile).
package deploy

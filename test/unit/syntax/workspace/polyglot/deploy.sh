#!/bin/bash
# Déploiement 🚀: non-ASCII text before the definitions.
DEPLOY_TARGET=staging

deploy_release() {
  echo "deploying $1 to $DEPLOY_TARGET"
}

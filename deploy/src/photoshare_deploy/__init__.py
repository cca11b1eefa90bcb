"""Photoshare on AWS: deploy CLI for the CloudFormation stack in deploy/template.yaml."""

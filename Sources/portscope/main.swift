import PortScopeCLI

PortScopeCommand.main()

using Concierge.Vmc;

return await VmcApp.RunAsync(args, VmcConsole.System);

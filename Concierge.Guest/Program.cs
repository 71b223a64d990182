// concierge-init: the guest's PID 1 and its helper stages; see Commands.
return Concierge.Guest.Commands.Run(args);

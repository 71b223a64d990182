/*
 * kvm-hold: keeps two KVM VMs with one vCPU each open, never run, for as long as L1 lives.
 *
 * Why: KVM turns kernel static keys on while something exists and off when the last one goes:
 * the preempt notifiers that every context switch checks (while any VM exists), the lapic's
 * apic_sw_disabled (while any vCPU's in-kernel APIC is software-disabled, as it is from reset)
 * and kvm_has_noapic_vcpu (while any vCPU has no in-kernel APIC). Each switch patches live
 * kernel code with int3 breakpoints (text_poke_bp) while the other vCPU runs it. Under QEMU's
 * multi-threaded TCG that cross-modifying code has been seen to leave both L1 vCPUs looping
 * through exc_int3 in __schedule and finish_task_switch for good: the sandbox's "freeze"
 * (sandbox/README.md has the evidence). With these held the keys never drop back to zero, so
 * starting and stopping test VMs patches nothing.
 *
 * Built static by sandbox/build-l1-initramfs.sh (the initramfs has no C library) and started
 * by sandbox/l1-init right after kvm-amd loads.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int hold_vm(int kvm, int with_irqchip)
{
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0 || (with_irqchip && ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0) || ioctl(vm, KVM_CREATE_VCPU, 0) < 0) {
		perror(with_irqchip ? "kvm-hold: a VM with an irqchip" : "kvm-hold: a VM without an irqchip");
		return -1;
	}
	return 0;
}

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		perror("kvm-hold: /dev/kvm");
		return 1;
	}
	if (hold_vm(kvm, 1) < 0 || hold_vm(kvm, 0) < 0)
		return 1;
	for (;;)
		pause();
}

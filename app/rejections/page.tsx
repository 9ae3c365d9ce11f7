import { RejectionsView } from "@/components/rejections/rejections-view";

export const metadata = { title: "Rejected deliveries · Vonage Webhook Console" };

export default function RejectionsPage() {
  return <RejectionsView />;
}

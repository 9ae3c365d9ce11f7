import { RejectionsPage as Rejections } from "@/components/rejections/rejections-page";

export const metadata = { title: "Rejected deliveries · Vonage Webhook Console" };

export default function RejectionsPage() {
  return <Rejections />;
}

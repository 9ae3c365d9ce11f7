import { MessageLifecycle } from "@/components/message/message-lifecycle";

export const metadata = { title: "Message · Vonage Webhook Console" };

export default async function MessagePage({ params }: { params: Promise<{ messageUuid: string }> }) {
  const { messageUuid } = await params;
  // Next.js has decoded the parameter already.
  return <MessageLifecycle messageUuid={messageUuid.trim()} />;
}

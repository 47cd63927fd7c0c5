{"specversion":"1.0","id":"1","source":"/shop","type":"order.paid","datacontenttype":"application/json","data":{"amount":5}}
{"specversion":"1.0","id":"2","source":"/shop","type":"order.refunded","datacontenttype":"application/json","data":{"amount":-2}}
{"specversion":"1.0","id":"3","source":"/shop","type":"order.paid","datacontenttype":"application/json","data":{"amount":7}}
{"specversion":"1.0","id":"4","source":"/shop","type":"order.noted"}
